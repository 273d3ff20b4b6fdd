package dev.outpost.edge.hostcalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.abi.ByteArrayGuestMemory;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.WasmImports;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linking: every import of a real JS SDK module resolves; the ones the host lacks answer {@code unsupported}. */
class HostcallTableTest {
    private static Sandbox sandbox() {
        EdgeServices services = new EdgeServices(
                LocalServerConfig.empty(), new BackendClient(null), (endpoint, message) -> {}, "localhost");
        return new Sandbox(
                services,
                new DownstreamRequest(new RequestState(), Body.of(new byte[0]), null, null, "0".repeat(32)),
                (head, body, streaming) -> {});
    }

    @Test
    void everyImportOfTheJsRuntimeLinks() throws Exception {
        Path wasm = Path.of(System.getProperty("outpost.edge.testApps", "target/test-apps"), "hello.wasm");
        List<FunctionImport> imports = WasmImports.functions(Files.readAllBytes(wasm));
        assertThat(imports).hasSize(181);
        HostcallTable table = HostcallTable.forSandbox(sandbox());
        List<String> missing = imports.stream()
                .filter(i -> !table.implemented(i.module(), i.name()))
                .map(FunctionImport::qualifiedName)
                .toList();
        imports.forEach(i -> assertThat(table.resolve(i)).isNotNull());
        HostcallTable.checkImports("hello.wasm", imports);
        assertThat(missing).as("every import of the JS runtime has a hostcall").isEmpty();
    }

    @Test
    void anUnknownImportAnswersUnsupported() {
        HostcallTable table = HostcallTable.forSandbox(sandbox());
        int status = table.resolve(
                        new FunctionImport("fastly_image_optimizer", "transform_image_optimizer_request", 9, 1))
                .call(new ByteArrayGuestMemory(64), new long[9]);
        assertThat(status).isEqualTo(FastlyStatus.UNSUPPORTED.code());
    }

    /**
     * A table linked for one module holds only what it imports, by import index, and gives each import what the table
     * by name gives it: legacy names their target, an import twice both times, an unimplemented one {@code unsupported}.
     */
    @Test
    void aLinkedTableResolvesEachImportByIndexAsTheTableByNameDoes() {
        List<FunctionImport> imports = List.of(
                new FunctionImport("fastly_http_body", "new", 1, 1),
                new FunctionImport("env", "xqd_body_new", 1, 1),
                new FunctionImport("wasi_snapshot_preview1", "random_get", 2, 1),
                new FunctionImport("fastly_http_body", "new", 1, 1),
                new FunctionImport("fastly_image_optimizer", "transform_image_optimizer_request", 9, 1));
        HostcallTable.Linking linking = new HostcallTable.Linking(imports);
        // The first table records where its registrations went; the second replays that.
        for (int table = 0; table < 2; table++) {
            assertLinked(HostcallTable.forSandbox(sandbox(), linking), imports);
        }
    }

    private static void assertLinked(HostcallTable linked, List<FunctionImport> imports) {
        assertThat(linked.registered()).isEmpty();
        assertThat(linked.resolve(0, imports.get(0)))
                .isSameAs(linked.resolve(1, imports.get(1)))
                .isSameAs(linked.resolve(3, imports.get(3)))
                .isSameAs(linked.resolve(imports.get(0)));

        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(64);
        assertThat(linked.resolve(0, imports.get(0)).call(memory, new long[] {8}))
                .isEqualTo(FastlyStatus.OK.code());
        assertThat(memory.readI32(8)).as("the new body's handle").isNotNegative();
        assertThat(linked.resolve(2, imports.get(2)).call(memory, new long[] {16, 8}))
                .as("WASI success")
                .isZero();
        assertThat(linked.resolve(4, imports.get(4)).call(memory, new long[9]))
                .isEqualTo(FastlyStatus.UNSUPPORTED.code());
    }
}
