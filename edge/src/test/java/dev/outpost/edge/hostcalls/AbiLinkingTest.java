package dev.outpost.edge.hostcalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.WasmLoadException;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What links: every function Viceroy links, and nothing else. */
class AbiLinkingTest {
    static HostcallTable table() {
        EdgeServices services = new EdgeServices(
                LocalServerConfig.empty(), new BackendClient(null), (endpoint, message) -> {}, "localhost");
        return HostcallTable.forSandbox(new Sandbox(
                services,
                new DownstreamRequest(new RequestState(), Body.of(new byte[0]), null, null, "0".repeat(32)),
                (head, body, streaming) -> {}));
    }

    private static FunctionImport imported(ComputeAbi.Function f) {
        return new FunctionImport(f.module(), f.name(), f.params().size(), 1);
    }

    @Test
    void theAbiListHasEveryFunctionOfTheWitxFiles() {
        assertThat(ComputeAbi.functions()).hasSize(251);
        assertThat(ComputeAbi.modules()).hasSize(24);
    }

    @Test
    void everyAbiFunctionLegacyAliasAndWasiFunctionLinks() {
        List<FunctionImport> all = new ArrayList<>(ComputeAbi.functions().values().stream()
                .map(AbiLinkingTest::imported)
                .toList());
        LegacyAliases.all().forEach((alias, target) -> {
            ComputeAbi.Function f = ComputeAbi.function(target);
            assertThat(f).as(alias + " -> " + target).isNotNull();
            all.add(new FunctionImport("env", alias.substring(4), f.params().size(), 1));
        });
        WasiHostcalls.NAMES.forEach(n -> all.add(new FunctionImport("wasi_snapshot_preview1", n, 0, 1)));
        HostcallTable.checkImports("all.wasm", all);
        HostcallTable table = table();
        all.forEach(i -> assertThat(table.resolve(i)).isNotNull());
    }

    @Test
    void everyFunctionHasAHostcall() {
        HostcallTable table = table();
        Set<String> missing = ComputeAbi.functions().keySet().stream()
                .filter(name -> !table.registered().contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(missing).isEmpty();
        Set<String> wasi = WasiHostcalls.NAMES.stream()
                .map(n -> "wasi_snapshot_preview1." + n)
                .collect(Collectors.toSet());
        assertThat(table.registered())
                .as("registered names that are neither ABI nor WASI functions")
                .allMatch(n -> ComputeAbi.function(n) != null || wasi.contains(n));
        assertThat(wasi).allMatch(table.registered()::contains);
    }

    @Test
    void unknownImportsAreAllNamedWhenTheProgramIsLoaded() {
        assertThatThrownBy(() -> HostcallTable.checkImports(
                        "app.wasm",
                        List.of(
                                new FunctionImport("fastly_http_req", "new", 1, 1),
                                new FunctionImport("fastly_http_req", "teleport", 2, 1),
                                new FunctionImport("fastly_future", "thing", 0, 1),
                                new FunctionImport("fastly_http_body", "new", 2, 1))))
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("app.wasm: cannot be linked")
                .hasMessageContaining(
                        "2 functions this server does not know:" + " fastly_http_req.teleport, fastly_future.thing")
                .hasMessageContaining(
                        "fastly_http_body.new (2 parameters, 1 results; expected: 1 parameters," + " 1 result)");
    }
}
