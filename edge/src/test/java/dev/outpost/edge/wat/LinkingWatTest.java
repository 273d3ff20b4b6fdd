package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.engine.WasmLoadException;
import java.util.Arrays;

/** Linking as Viceroy does it: unknown imports refuse the program at load, legacy names link. */
class LinkingWatTest {
    @BothEngines
    void aProgramWithUnknownImportsFailsAtLoadNamingThemAll(String engine) {
        String program = """
            (import "fastly_http_req" "teleport" (func $teleport (param i32) (result i32)))
            (import "fastly_nowhere" "thing" (func $thing (result i32)))
            (func (export "_start") (call $finish))
            """;
        assertThatThrownBy(() -> WatServer.start(engine, Wat.program(program)).close())
                .isInstanceOf(WasmLoadException.class)
                .hasMessageContaining("cannot be linked")
                .hasMessageContaining("fastly_http_req.teleport, fastly_nowhere.thing");
    }

    @BothEngines
    void aProgramWhoseLastSectionRunsPastItsEndFailsAtLoad(String engine) {
        byte[] program = Wat.program("(func (export \"_start\") (call $finish))");
        // A custom section that says 100 bytes and has 2.
        byte[] truncated = Arrays.copyOf(program, program.length + 4);
        truncated[program.length] = 0;
        truncated[program.length + 1] = 100;
        truncated[program.length + 2] = 1;
        truncated[program.length + 3] = 'x';
        assertThatThrownBy(() -> WatServer.start(engine, truncated).close()).isInstanceOf(WasmLoadException.class);
    }

    @BothEngines
    void legacyXqdNamesAndTheAbiHandshakeWork(String engine) {
        String program = """
            (data (i32.const 0x400) "legacy")
            (func (export "_start")
              (call $ok (call $env.xqd_init (i64.const 1)) (i32.const 1))
              (call $expect (call $fastly_abi.init (i64.const 2)) (i32.const 1) (i32.const 2))
              (call $ok (call $env.xqd_resp_new (i32.const 0x500)) (i32.const 3))
              (call $ok (call $env.xqd_resp_status_set (i32.load (i32.const 0x500)) (i32.const 203)) (i32.const 4))
              (call $ok (call $env.xqd_body_new (i32.const 0x504)) (i32.const 5))
              (call $ok (call $env.xqd_body_write (i32.load (i32.const 0x504)) (i32.const 0x400) (i32.const 6)
                  (i32.const 0) (i32.const 0x508)) (i32.const 6))
              (call $ok (call $fastly_http_resp.send_downstream
                  (i32.load (i32.const 0x500)) (i32.load (i32.const 0x504)) (i32.const 0)) (i32.const 7)))
            """;
        try (WatServer server = WatServer.start(engine, Wat.program(program))) {
            var response = server.get("/");
            assertThat(response.statusCode()).isEqualTo(203);
            assertThat(response.body()).isEqualTo("legacy");
        }
    }
}
