package dev.outpost.edge.hostcalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.abi.ByteArrayGuestMemory;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.backend.BackendClient;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.DownstreamRequest;
import dev.outpost.edge.sandbox.DownstreamResponder;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.Sandbox;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code send_downstream}: what the server is handed. A body sent without streaming is already ended, so the server can
 * write it whole with the head; a streamed one stays open for the guest's later writes; a second response is refused
 * with nothing changed.
 */
class SendDownstreamTest {
    private record Sent(boolean streaming, boolean ended, byte[] complete) {}

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aBodySentWithoutStreamingReachesTheServerEnded(boolean streaming) {
        List<Sent> sent = new ArrayList<>();
        Sandbox sandbox =
                sandbox((head, body, streams) -> sent.add(new Sent(streams, body.finished(), body.completeBytes())));
        HostcallTable table = HostcallTable.forSandbox(sandbox);
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(4096);
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        memory.write(0x400, hello, 0, hello.length);

        call(table, memory, "fastly_http_body", "new", 0x100);
        int body = memory.readI32(0x100);
        call(table, memory, "fastly_http_body", "write", body, 0x400, hello.length, 0, 0x104);
        call(table, memory, "fastly_http_resp", "new", 0x108);
        call(table, memory, "fastly_http_resp", "send_downstream", memory.readI32(0x108), body, streaming ? 1 : 0);

        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).streaming()).isEqualTo(streaming);
        assertThat(sent.get(0).ended()).isEqualTo(!streaming);
        if (streaming) {
            assertThat(sent.get(0).complete()).isNull();
        } else {
            assertThat(sent.get(0).complete()).isEqualTo(hello);
        }
        table.close();
        sandbox.close();
    }

    @Test
    void aSecondResponseIsRefusedAndLeavesItsBodyOpen() {
        Sandbox sandbox = sandbox((head, body, streams) -> {});
        HostcallTable table = HostcallTable.forSandbox(sandbox);
        ByteArrayGuestMemory memory = new ByteArrayGuestMemory(4096);
        for (int response = 0; response < 2; response++) {
            call(table, memory, "fastly_http_body", "new", 0x100 + 8 * response);
            call(table, memory, "fastly_http_resp", "new", 0x104 + 8 * response);
        }
        call(table, memory, "fastly_http_resp", "send_downstream", memory.readI32(0x104), memory.readI32(0x100), 0);

        int second = memory.readI32(0x108);
        int status = table.resolve(new FunctionImport("fastly_http_resp", "send_downstream", 3, 1))
                .call(memory, new long[] {memory.readI32(0x10c), second, 0});
        assertThat(status).isEqualTo(FastlyStatus.ERROR.code());
        assertThat(sandbox.body(second).finished())
                .as("the refused response's body")
                .isFalse();
        table.close();
        sandbox.close();
    }

    private static Sandbox sandbox(DownstreamResponder responder) {
        EdgeServices services = new EdgeServices(
                LocalServerConfig.empty(), new BackendClient(null), (endpoint, message) -> {}, "localhost");
        return new Sandbox(
                services,
                new DownstreamRequest(new RequestState(), Body.of(new byte[0]), null, null, "0".repeat(32)),
                responder);
    }

    private static void call(
            HostcallTable table, ByteArrayGuestMemory memory, String module, String name, long... args) {
        int status =
                table.resolve(new FunctionImport(module, name, args.length, 1)).call(memory, args);
        assertThat(status).as(module + "." + name).isEqualTo(FastlyStatus.OK.code());
    }
}
