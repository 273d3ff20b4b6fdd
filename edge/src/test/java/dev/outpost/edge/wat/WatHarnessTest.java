package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The harness itself: text compiles, the prelude reports, both engines serve the result. */
class WatHarnessTest {
    private static final String HELLO = """
        (data (i32.const 0x400) "hello ")
        (func (export "_start")
          (call $say (i32.const 0x400) (i32.const 6))
          (call $say_i32 (i32.const -42))
          (call $say_char (i32.const 32))
          (call $say_i64 (i64.const 1234567890123))
          (call $finish))
        """;

    @BothEngines
    void aProgramReportsOverHttp(String engine) {
        try (WatServer server = WatServer.start(engine, Wat.program(HELLO))) {
            HttpResponse<String> response = server.get("/");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("hello -42 1234567890123");
        }
    }

    @BothEngines
    void aFailedStepAnswers500WithItsNumber(String engine) {
        String failing = """
            (func (export "_start")
              (call $ok (i32.const 5) (i32.const 7)))
            """;
        try (WatServer server = WatServer.start(engine, Wat.program(failing))) {
            HttpResponse<String> response = server.get("/");
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).isEqualTo("step 7: got 5");
        }
    }

    @Test
    void importsAreDeclaredFromTheAbiList() {
        String module = Wat.module("(func (export \"_start\") (drop (call $fastly_http_req.send_v3"
                + " (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)"
                + " (i32.const 0))))");
        assertThat(module)
                .contains("(import \"fastly_http_req\" \"send_v3\" (func $fastly_http_req.send_v3"
                        + " (param i32 i32 i32 i32 i32 i32 i32) (result i32)))");
    }
}
