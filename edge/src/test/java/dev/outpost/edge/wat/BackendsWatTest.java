package dev.outpost.edge.wat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Backends as production treats them: pooled keep-alive connections, TLS options of dynamic backends (CA, client
 * certificate, versions), and each timeout ending in the send error the SDKs expect.
 */
class BackendsWatTest {
    /**
     * Helpers: $get sends GET uri to a backend with send_v3 (no readthrough cache; the error detail at 0x520); $dyn
     * registers a dynamic backend.
     */
    private static final String HELPERS = """
        (func $r (param $status i32) (call $say_i32 (local.get $status)) (call $say_char (i32.const 32)))
        (func $get (param $backend i32) (param $blen i32) (param $uri i32) (param $ulen i32) (result i32)
          (call $ok (call $fastly_http_req.new (i32.const 0x500)) (i32.const 100))
          (call $ok (call $fastly_http_req.uri_set (i32.load (i32.const 0x500)) (local.get $uri) (local.get $ulen))
            (i32.const 101))
          (call $ok (call $fastly_http_body.new (i32.const 0x504)) (i32.const 102))
          (i32.store (i32.const 0x520) (i32.const 0))
          (call $fastly_http_req.send_v3 (i32.load (i32.const 0x500)) (i32.load (i32.const 0x504))
            (local.get $backend) (local.get $blen) (i32.const 0x520) (i32.const 0x510) (i32.const 0x514)))
        ;; Reports the body of the last response, or ERR <status> when reading it fails.
        (func $say_body
          (local $status i32)
          (loop $more
            (local.set $status (call $fastly_http_body.read (i32.load (i32.const 0x514)) (i32.const 0x2000)
              (i32.const 4096) (i32.const 0x518)))
            (if (local.get $status)
              (then (call $say (i32.const 0x3f0) (i32.const 4)) (call $r (local.get $status)) (return)))
            (call $say (i32.const 0x2000) (i32.load (i32.const 0x518)))
            (br_if $more (i32.load (i32.const 0x518))))
          (call $say_char (i32.const 32)))
        (data (i32.const 0x3f0) "ERR ")
        ;; register_dynamic_backend(name, target, mask) with the config at 0x800
        (func $dyn (param $name i32) (param $nlen i32) (param $target i32) (param $tlen i32) (param $mask i32)
            (result i32)
          (call $fastly_http_req.register_dynamic_backend (local.get $name) (local.get $nlen) (local.get $target)
            (local.get $tlen) (local.get $mask) (i32.const 0x800)))
        """;

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
            if (b >= 32 && b < 127 && b != '"' && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\%02x", b));
            }
        }
        return out.toString();
    }

    @BothEngines
    void connectionsAreKeptAliveAndReusedUnlessTheBackendSaysNotTo(String engine) {
        try (NettyOrigin origin = new NettyOrigin()) {
            String target = "127.0.0.1:" + origin.port();
            String program = HELPERS + """
                (data (i32.const 0x400) "origin")
                (data (i32.const 0x408) "http://example.com/a")
                (data (i32.const 0x420) "nopool")
                (data (i32.const 0x430) "%s")
                (func (export "_start")
                  (call $r (call $get (i32.const 0x400) (i32.const 6) (i32.const 0x408) (i32.const 20)))
                  (call $say_body)
                  (call $r (call $get (i32.const 0x400) (i32.const 6) (i32.const 0x408) (i32.const 20)))
                  (call $say_body)
                  (call $r (call $get (i32.const 0x400) (i32.const 6) (i32.const 0x408) (i32.const 20)))
                  (call $say_body)
                  ;; dont_pool (bit 12): a new connection each time
                  (call $r (call $dyn (i32.const 0x420) (i32.const 6) (i32.const 0x430) (i32.const %d)
                    (i32.const 4096)))
                  (call $r (call $get (i32.const 0x420) (i32.const 6) (i32.const 0x408) (i32.const 20)))
                  (call $say_body)
                  (call $r (call $get (i32.const 0x420) (i32.const 6) (i32.const 0x408) (i32.const 20)))
                  (call $say_body)
                  (call $finish))
                """.formatted(target, target.length());
            LocalServerConfig local = new LocalServerConfig(
                    Map.of("origin", BackendConfig.of("origin", origin.uri())),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    true,
                    Map.of(),
                    Map.of());
            try (WatServer server = WatServer.start(engine, Wat.program(program), local)) {
                var body = server.get("/").body();
                assertThat(List.of(body.split(" ")))
                        .containsExactly(
                                "0",
                                "conn=1",
                                "path=/a",
                                "client=-",
                                "0",
                                "conn=1",
                                "path=/a",
                                "client=-",
                                "0",
                                "conn=1",
                                "path=/a",
                                "client=-",
                                "0",
                                "0",
                                "conn=2",
                                "path=/a",
                                "client=-",
                                "0",
                                "conn=3",
                                "path=/a",
                                "client=-");
            }
        }
    }

    @BothEngines
    void dynamicBackendTlsOptions(String engine) {
        try (NettyOrigin mtls = NettyOrigin.tls(true, null);
                NettyOrigin tls12 = NettyOrigin.tls(false, List.of("TLSv1.2"))) {
            String ca = NettyOrigin.pem("ca.pem");
            String cert = NettyOrigin.pem("client.pem");
            String key = NettyOrigin.pem("client-key.pem");
            String a = "127.0.0.1:" + mtls.port();
            String b = "127.0.0.1:" + tls12.port();
            String program = HELPERS
                    + """
                (data (i32.const 0x400) "https://example.com/x")
                (data (i32.const 0x420) "mtls")
                (data (i32.const 0x428) "nocert")
                (data (i32.const 0x430) "untrusted")
                (data (i32.const 0x440) "tls13")
                (data (i32.const 0x448) "tls12")
                (data (i32.const 0x460) "%s")
                (data (i32.const 0x480) "%s")
                (data (i32.const 0x4000) "%s")
                (data (i32.const 0x8000) "%s")
                (data (i32.const 0xc000) "%s")
                (func (export "_start")
                  ;; the config: ca_cert at 36, client_certificate at 60, client_key (a secret) at 68
                  (i32.store (i32.const 0x824) (i32.const 0x4000))
                  (i32.store (i32.const 0x828) (i32.const %d))
                  (i32.store (i32.const 0x83c) (i32.const 0x8000))
                  (i32.store (i32.const 0x840) (i32.const %d))
                  (call $ok (call $fastly_secret_store.from_bytes (i32.const 0xc000) (i32.const %d) (i32.const 0x844))
                    (i32.const 1))
                  ;; mutual TLS: use_ssl (5) | ca_cert (9) | client_cert (13)
                  (call $r (call $dyn (i32.const 0x420) (i32.const 4) (i32.const 0x460) (i32.const %d)
                    (i32.const 8736)))
                  (call $r (call $get (i32.const 0x420) (i32.const 4) (i32.const 0x400) (i32.const 21)))
                  (call $say_body)
                  ;; no client certificate: the server's alert (tls_alert_received, 23)
                  (call $r (call $dyn (i32.const 0x428) (i32.const 6) (i32.const 0x460) (i32.const %d)
                    (i32.const 544)))
                  (call $r (call $get (i32.const 0x428) (i32.const 6) (i32.const 0x400) (i32.const 21)))
                  (call $r (i32.load (i32.const 0x520)))
                  ;; no CA: the certificate is not trusted (tls_certificate_error, 11)
                  (call $r (call $dyn (i32.const 0x430) (i32.const 9) (i32.const 0x480) (i32.const %d)
                    (i32.const 32)))
                  (call $r (call $get (i32.const 0x430) (i32.const 9) (i32.const 0x400) (i32.const 21)))
                  (call $r (i32.load (i32.const 0x520)))
                  ;; ssl_min_version TLS 1.3 against a TLS 1.2 server: tls_protocol_error (24); its min version
                  (i32.store (i32.const 0x814) (i32.const 3))
                  (call $r (call $dyn (i32.const 0x440) (i32.const 5) (i32.const 0x480) (i32.const %d)
                    (i32.const 608)))
                  (call $r (call $get (i32.const 0x440) (i32.const 5) (i32.const 0x400) (i32.const 21)))
                  (call $r (i32.load (i32.const 0x520)))
                  (call $r (call $fastly_backend.get_ssl_min_version (i32.const 0x440) (i32.const 5) (i32.const 0x600)))
                  (call $r (i32.load (i32.const 0x600)))
                  ;; TLS 1.2 allowed: fine
                  (i32.store (i32.const 0x814) (i32.const 2))
                  (call $r (call $dyn (i32.const 0x448) (i32.const 5) (i32.const 0x480) (i32.const %d)
                    (i32.const 608)))
                  (call $r (call $get (i32.const 0x448) (i32.const 5) (i32.const 0x400) (i32.const 21)))
                  (call $finish))
                """.formatted(
                                    a,
                                    b,
                                    escape(ca),
                                    escape(cert),
                                    escape(key),
                                    ca.length(),
                                    cert.length(),
                                    key.length(),
                                    a.length(),
                                    a.length(),
                                    b.length(),
                                    b.length(),
                                    b.length());
            try (WatServer server = WatServer.start(engine, Wat.program(program))) {
                var body = server.get("/").body();
                assertThat(List.of(body.split(" ")))
                        .containsExactly(
                                "0",
                                "0",
                                "conn=1",
                                "path=/x",
                                "client=CN=outpost-test-client",
                                "0",
                                "1",
                                "23",
                                "0",
                                "1",
                                "11",
                                "0",
                                "1",
                                "24",
                                "0",
                                "3",
                                "0",
                                "0");
            }
        }
    }

    @BothEngines
    void timeoutsEndInTheSendErrorsTheSdksExpect(String engine) {
        try (NettyOrigin origin = new NettyOrigin()) {
            String target = "127.0.0.1:" + origin.port();
            String program = HELPERS + """
                (data (i32.const 0x400) "slow")
                (data (i32.const 0x408) "http://example.com/never")
                (data (i32.const 0x428) "http://example.com/stall-body")
                (data (i32.const 0x450) "%s")
                (func (export "_start")
                  ;; first_byte_timeout (3) and between_bytes_timeout (4): 300 ms each
                  (i32.store (i32.const 0x80c) (i32.const 300))
                  (i32.store (i32.const 0x810) (i32.const 300))
                  (call $r (call $dyn (i32.const 0x400) (i32.const 4) (i32.const 0x450) (i32.const %d)
                    (i32.const 24)))
                  ;; no response: error, http_response_timeout (16)
                  (call $r (call $get (i32.const 0x400) (i32.const 4) (i32.const 0x408) (i32.const 24)))
                  (call $r (i32.load (i32.const 0x520)))
                  ;; half a body, then nothing: the read fails (error) after what arrived
                  (call $r (call $get (i32.const 0x400) (i32.const 4) (i32.const 0x428) (i32.const 29)))
                  (call $say_body)
                  (call $finish))
                """.formatted(target, target.length());
            try (WatServer server = WatServer.start(engine, Wat.program(program))) {
                var body = server.get("/").body();
                assertThat(List.of(body.split(" "))).containsExactly("0", "1", "16", "0", "partialERR", "1");
            }
        }
    }

    @BothEngines
    void aFastlyTomlBackendWithAClientCertificate(String engine) throws Exception {
        try (NettyOrigin mtls = NettyOrigin.tls(true, null)) {
            Path dir = Files.createTempDirectory("outpost-mtls");
            for (String name : List.of("ca.pem", "client.pem", "client-key.pem")) {
                Files.writeString(dir.resolve(name), NettyOrigin.pem(name));
            }
            LocalServerConfig local = FastlyTomlParser.parse(
                            """
                            [local_server.backends.secure]
                            url = "%s"
                            cert_host = "localhost"
                            ca_certificate = { file = "ca.pem" }
                            client_certificate = { certificate_file = "client.pem", key_file = "client-key.pem" }
                            min_tls_version = "1.2"
                            """.formatted(mtls.uri()), "fastly.toml", dir, Map.<String, String>of()::get)
                    .localServer();
            String program = HELPERS + """
                (data (i32.const 0x400) "secure")
                (data (i32.const 0x408) "https://example.com/s")
                (func (export "_start")
                  (call $r (call $get (i32.const 0x400) (i32.const 6) (i32.const 0x408) (i32.const 21)))
                  (call $say_body)
                  (call $finish))
                """;
            try (WatServer server = WatServer.start(engine, Wat.program(program), local)) {
                assertThat(server.get("/").body()).isEqualTo("0 conn=1 path=/s client=CN=outpost-test-client ");
            }
        }
    }

    @BothEngines
    void aBackendThatDoesNotAcceptEndsInAConnectionTimeout(String engine) throws Exception {
        // A listening socket whose accept queue is full: the kernel drops further SYNs, so connecting times out.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                while (fillers.size() < 16) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                    } catch (SocketTimeoutException queueFull) {
                        break;
                    }
                }
                String target = "127.0.0.1:" + full.getLocalPort();
                String program = HELPERS + """
                    (data (i32.const 0x400) "full")
                    (data (i32.const 0x408) "http://example.com/")
                    (data (i32.const 0x420) "%s")
                    (func (export "_start")
                      ;; connect_timeout (2): 300 ms
                      (i32.store (i32.const 0x808) (i32.const 300))
                      (call $r (call $dyn (i32.const 0x400) (i32.const 4) (i32.const 0x420) (i32.const %d)
                        (i32.const 4)))
                      (call $r (call $get (i32.const 0x400) (i32.const 4) (i32.const 0x408) (i32.const 19)))
                      (call $r (i32.load (i32.const 0x520)))
                      (call $finish))
                    """.formatted(target, target.length());
                try (WatServer server = WatServer.start(engine, Wat.program(program))) {
                    // error, connection_timeout (9)
                    assertThat(server.get("/").body()).isEqualTo("0 1 9 ");
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
