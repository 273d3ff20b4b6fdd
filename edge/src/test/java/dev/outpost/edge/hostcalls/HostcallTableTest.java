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
}
