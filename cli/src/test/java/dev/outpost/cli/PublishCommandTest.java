package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.SignedJWT;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.TestOrigin;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code outpost publish} sends and how it reports the answer, against a recording test origin. */
@Timeout(30)
class PublishCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    TestOrigin server;
    /** What the server answers every request with; a test may change it. */
    volatile int status = 200;

    volatile String answer = "Published\n";

    @BeforeEach
    void start() throws Exception {
        server = new TestOrigin().otherwise(ex -> TestOrigin.respond(ex, status, "text/plain", answer));
    }

    String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    PublishRun publish(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--spec";
        all[1] = url();
        System.arraycopy(args, 0, all, 2, args.length);
        return PublishRun.run(all);
    }

    JsonNode sentItem() throws Exception {
        TestOrigin.Seen r = server.take();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.uri()).isEqualTo("/publish/");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        PublishParser.parse(r.body()); // the proxy's parser takes it
        JsonNode root = JSON.readTree(r.body());
        assertThat(root.get("items")).hasSize(1);
        return root.get("items").get(0);
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void contentGoesOutInTheThreeFormatsWithANewlineOnHttp() throws Exception {
        PublishRun r = publish("news", "hello");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("Published" + System.lineSeparator());
        assertThat(r.err()).isEmpty();
        assertThat(sentItem()).isEqualTo(json("""
                {"channel":"news","formats":{
                  "http-response":{"code":200,"body":"hello\\n"},
                  "http-stream":{"content":"hello\\n"},
                  "ws-message":{"content":"hello"}}}"""));
    }

    @Test
    void everyItemOption() throws Exception {
        PublishRun r = publish(
                "news",
                "hi",
                "--id",
                "7",
                "--prev-id",
                "6",
                "--sender",
                "alice",
                "-M",
                "user=bob",
                "-M",
                "region = eu",
                "--code",
                "404",
                "-H",
                "X-A: 1",
                "--header",
                "Cache-Control: no-cache",
                "--no-seq",
                "--no-eol");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(sentItem()).isEqualTo(json("""
                {"channel":"news","id":"7","prev-id":"6",
                 "formats":{
                   "http-response":{"code":404,"headers":[["X-A","1"],["Cache-Control","no-cache"]],"body":"hi"},
                   "http-stream":{"content":"hi"},
                   "ws-message":{"content":"hi"}},
                 "meta":{"sender":"alice","user":"bob","region":"eu"},
                 "no-seq":true}"""));
    }

    @Test
    void hint() throws Exception {
        assertThat(publish("news", "--hint").code()).isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-response":{"action":"hint"},"http-stream":{"action":"hint"},"ws-message":{"action":"hint"}}"""));
    }

    @Test
    void close() throws Exception {
        assertThat(publish("news", "--close").code()).isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-stream":{"action":"close"},"ws-message":{"action":"close"}}"""));
    }

    @Test
    void patchGoesToHttpResponseOnly() throws Exception {
        PublishRun r = publish("doc", "--patch", "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", "-H", "X-B: 2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-response":{"code":200,"headers":[["X-B","2"]],
                  "body-patch":[{"op":"replace","path":"/n","value":2}]}}"""));
    }

    @Test
    void fileContentIsSentAsItIs(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("msg.txt");
        Files.writeString(f, "from a file\n");
        assertThat(publish("news", "@" + f).code()).isZero();
        JsonNode formats = sentItem().get("formats");
        assertThat(formats.get("http-response").get("body").asText()).isEqualTo("from a file\n");
        assertThat(formats.get("http-stream").get("content").asText()).isEqualTo("from a file\n");
        assertThat(formats.get("ws-message").get("content").asText()).isEqualTo("from a file\n");
    }

    @Test
    void atFileIsNotExpandedIntoArguments(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("args.txt");
        Files.writeString(f, "--close extra words");
        CommandLine cl = Main.newCommandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("publish", "--spec", url(), "news", "@" + f)).isZero();
        assertThat(sentItem().get("formats").get("ws-message").get("content").asText())
                .isEqualTo("--close extra words");
    }

    @Test
    void binaryFileGoesAsBase64(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bin");
        Files.write(f, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertThat(publish("news", "@" + f).code()).isZero();
        JsonNode formats = sentItem().get("formats");
        String b64 = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertThat(formats.get("http-response").get("body-bin").asText()).isEqualTo(b64);
        assertThat(formats.get("http-stream").get("content-bin").asText()).isEqualTo(b64);
        assertThat(formats.get("ws-message").get("content-bin").asText()).isEqualTo(b64);
    }

    @Test
    void standardInput() throws Exception {
        PublishRun r =
                PublishRun.run(Map.of(), "piped\n".getBytes(StandardCharsets.UTF_8), "--spec", url(), "news", "-");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode formats = sentItem().get("formats");
        assertThat(formats.get("http-stream").get("content").asText()).isEqualTo("piped\n");
        assertThat(formats.get("ws-message").get("content").asText()).isEqualTo("piped\n");
    }

    @Test
    void sseFormat() throws Exception {
        assertThat(publish("news", "line one\nline two", "--format", "sse").code())
                .isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-stream":{"content":"data: line one\\ndata: line two\\n\\n"}}"""));
    }

    @Test
    void chosenFormats() throws Exception {
        assertThat(publish("news", "x", "--format", "ws-message").code()).isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"ws-message":{"content":"x"}}"""));
        assertThat(publish("news", "x", "--format", "http-response,sse", "--code", "201")
                        .code())
                .isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-response":{"code":201,"body":"x\\n"},"http-stream":{"content":"data: x\\n\\n"}}"""));
        assertThat(publish("news", "x", "--format", "http-stream", "--format", "ws-message")
                        .code())
                .isZero();
        assertThat(sentItem().get("formats")).isEqualTo(json("""
                {"http-stream":{"content":"x\\n"},"ws-message":{"content":"x"}}"""));
    }

    @Test
    void bearerJwtFromGripUrlIssAndKey() throws Exception {
        byte[] key = "a key, not base64".getBytes(StandardCharsets.UTF_8);
        String b64 = Base64.getEncoder().encodeToString(key);
        PublishRun r = PublishRun.run(
                Map.of("GRIP_URL", url() + "/base/?iss=outpost-test&key=base64:" + b64), new byte[0], "news", "hi");
        assertThat(r.code()).as(r.err()).isZero();
        TestOrigin.Seen req = server.take();
        assertThat(req.uri()).isEqualTo("/base/publish/");
        String auth = req.header("Authorization");
        assertThat(auth).startsWith("Bearer ");
        String jwt = auth.substring("Bearer ".length());
        assertThat(GripSig.verify(jwt, key, PublishRun.NOW)).isTrue();
        assertThat(SignedJWT.parse(jwt).getJWTClaimsSet().getIssuer()).isEqualTo("outpost-test");
    }

    @Test
    void specOverridesGripUrl() throws Exception {
        PublishRun r =
                PublishRun.run(Map.of("GRIP_URL", "http://127.0.0.1:1"), new byte[0], "--spec", url(), "news", "hi");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(server.take().header("Authorization")).isNull();
    }

    @Test
    void basicFromUrlUserInfoAndFromDashU() throws Exception {
        String url = url().replace("http://", "http://alice:pw@");
        assertThat(PublishRun.run("--spec", url, "news", "hi").code()).isZero();
        assertThat(server.take().header("Authorization")).isEqualTo(basic("alice:pw"));
        assertThat(PublishRun.run("--spec", url, "-u", "bob:pw2", "news", "hi").code())
                .isZero();
        assertThat(server.take().header("Authorization")).isEqualTo(basic("bob:pw2"));
    }

    @Test
    void bearerToken() throws Exception {
        assertThat(publish("-B", "tok-123", "news", "hi").code()).isZero();
        assertThat(server.take().header("Authorization")).isEqualTo("Bearer tok-123");
    }

    static String basic(String userPass) {
        return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void non200ShowsStatusAndBody() {
        status = 400;
        answer = "Invalid format: 'items' is missing.\n";
        PublishRun r = publish("news", "hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .contains("outpost: publish to " + url() + "/publish/ failed: 400 Bad Request: "
                        + "Invalid format: 'items' is missing.");
    }

    @Test
    void unauthorizedSuggestsCredentials() {
        status = 401;
        answer = "";
        PublishRun r = publish("news", "hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .contains("failed: 401 Unauthorized")
                .contains("-u USER:PASS")
                .contains("-B TOKEN");
    }

    @Test
    void unreachableEndpointNamesUrlCauseAndProxy() throws Exception {
        int port = FreePorts.port();
        PublishRun r = PublishRun.run("--spec", "http://127.0.0.1:" + port, "news", "hi");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err())
                .contains("outpost: cannot reach the publish endpoint http://127.0.0.1:" + port
                        + "/publish/: connection refused")
                .contains("outpost proxy");
    }

    @Test
    void silentEndpointTimesOut() throws Exception {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try (Socket c = s.accept();
                    InputStream in = c.getInputStream()) {
                in.readAllBytes(); // read and never answer
            } catch (Exception e) {
                // ends when the test closes the listener
            }
        });
        try {
            PublishRun r =
                    PublishRun.run("--spec", "http://127.0.0.1:" + s.getLocalPort(), "--timeout", "0.5", "news", "hi");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).contains("no answer within 500 ms");
        } finally {
            s.close();
            acceptor.join(5000);
        }
    }

    @Test
    void usageErrorsExitWith2AndSendNothing(@TempDir Path dir) {
        assertUsage(publish("news", "x", "-H", "nocolon"), "outpost: -H 'nocolon' (expected: \"NAME: VALUE\"");
        assertUsage(publish("news", "x", "-M", "novalue"), "outpost: -M 'novalue' (expected: \"NAME=VALUE\")");
        assertUsage(publish("news", "x", "--code", "1000"), "outpost: --code 1000 (expected: integer 0-999)");
        assertUsage(publish("news", "x", "--code", "abc"), "--code");
        assertUsage(publish("news", "x", "--format", "xml"), "outpost: --format 'xml' (expected: http-response");
        assertUsage(publish("news"), "outpost: CONTENT: missing");
        assertUsage(publish(), "CHANNEL");
        assertUsage(publish("news", "x", "--hint"), "outpost: --hint with CONTENT 'x' (expected: no content)");
        assertUsage(publish("news", "--hint", "--close"), "--hint and --close both given");
        assertUsage(publish("news", "--close", "--format", "http-response"), "a response cannot be closed");
        assertUsage(publish("news", "--close", "-H", "A: b"), "--close with -H");
        assertUsage(
                publish("news", "x", "--format", "ws-message", "-H", "A: b"),
                "-H applies to http-response, which --format ws-message leaves out");
        assertUsage(publish("news", "x", "--format", "sse,http-stream"), "sse and http-stream");
        assertUsage(publish("news", "{}", "--patch"), "--patch: content is a JSON object");
        assertUsage(publish("news", "[]", "--patch", "--format", "ws-message"), "--patch applies to http-response");
        assertUsage(publish("news", "@" + dir.resolve("missing.txt")), "cannot read the file (no such file)");
        assertUsage(publish("news", "x", "-u", "a:b", "-B", "t"), "-u and -B both given");
        assertUsage(publish("news", "x", "--timeout", "0"), "--timeout 0.0 (expected: seconds > 0");
        assertUsage(
                PublishRun.run("--spec", "tcp://127.0.0.1:5560", "news", "x"),
                "outpost: --spec 'tcp://127.0.0.1:5560': ZeroMQ specs are not supported");
        assertUsage(
                PublishRun.run(Map.of("GRIP_URL", "http://h:1?iss=x"), new byte[0], "news", "x"),
                "outpost: GRIP_URL 'http://h:1?...': iss but no key");
        assertThat(server.idle()).isTrue();
    }

    static void assertUsage(PublishRun r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains(message);
    }

    @Test
    void helpShowsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute("publish", "--help")).isZero();
        assertThat(out.toString())
                .contains("Usage: outpost publish")
                .contains("CHANNEL [CONTENT]")
                .contains("--prev-id")
                .contains("--no-eol")
                .contains("--format")
                .contains("GRIP_URL");
    }
}
