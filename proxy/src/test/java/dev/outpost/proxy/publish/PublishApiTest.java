package dev.outpost.proxy.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.RawHttp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
@Timeout(30)
class PublishApiTest {
    static OutpostProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        proxy = ProxyHarness.start(null, b -> b.publishMaxBodySize(1000));
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    private static String post(String path, String body, String... headers) {
        StringBuilder sb = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        return sb.append("Content-Length: ")
                .append(b.length)
                .append("\r\n\r\n")
                .append(body)
                .toString();
    }

    private static RawHttp.Response once(String raw) throws Exception {
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            return c.send(raw).read();
        }
    }

    @Test
    void publishAnswersPublishedAsText() throws Exception {
        RawHttp.Response r = once(post("/publish", "{\"items\":[]}"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/plain");
        assertThat(r.text()).isEqualTo("Published\n");
    }

    @Test
    void trailingSlashIsTolerated() throws Exception {
        assertThat(once(post("/publish/", "{\"items\":[]}")).text()).isEqualTo("Published\n");
    }

    @Test
    void acceptJsonAnswersJson() throws Exception {
        RawHttp.Response r = once(post("/publish", "{\"items\":[]}", "Accept: application/json"));
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.text()).isEqualTo("{\"message\":\"Published\"}\n");
    }

    @Test
    void lastKnownAcceptTypeWins() {
        assertThat(PublishApiHandler.negotiate(List.of("application/json, text/plain")))
                .isEqualTo("text/plain");
        assertThat(PublishApiHandler.negotiate(List.of("image/png, application/json;q=0.5")))
                .isEqualTo("application/json");
        assertThat(PublishApiHandler.negotiate(List.of("text/html"))).isNull();
    }

    @Test
    void unacceptableTypeIs406() throws Exception {
        RawHttp.Response r = once(post("/publish", "{\"items\":[]}", "Accept: text/html"));
        assertThat(r.status()).isEqualTo(406);
        assertThat(r.text()).isEqualTo("Not Acceptable. Supported formats are text/plain and application/json.\n");
    }

    @Test
    void badJsonIs400() throws Exception {
        RawHttp.Response r = once(post("/publish", "{nope"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).isEqualTo("Body is not valid JSON.\n");
    }

    @Test
    void badItemIs400NamingTheProblem() throws Exception {
        RawHttp.Response r = once(post("/publish", "{\"items\":[{\"channel\":\"a\"}]}"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).startsWith("Invalid format").endsWith("\n");
    }

    @Test
    void otherMethodIs405WithAllow() throws Exception {
        RawHttp.Response r = once(RawHttp.get("/publish"));
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("POST");
        assertThat(r.text()).isEqualTo("Method not allowed: GET.\n");
    }

    @Test
    void unknownPathIs404() throws Exception {
        RawHttp.Response r = once(post("/nope", "x"));
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.text()).isEqualTo("Not Found\n");
    }

    @Test
    void rootAnswersPushpinApi() throws Exception {
        RawHttp.Response r = once(RawHttp.get("/"));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("Pushpin API\n");
    }

    @Test
    void bodyPastTheLimitIs413() throws Exception {
        RawHttp.Response r = once(post("/publish", "{\"items\":[" + " ".repeat(2000) + "]}"));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.text()).isEqualTo("Request body too large.\n");
    }

    @Test
    void chunkedBodyPastTheLimitIs413WhileReading() throws Exception {
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            c.send("POST /publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send("400\r\n" + "x".repeat(1024) + "\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void connectionStaysOpenBetweenPublishes() throws Exception {
        try (RawHttp c = new RawHttp(proxy.publishPort())) {
            assertThat(c.send(post("/publish", "{\"items\":[]}")).read().status())
                    .isEqualTo(200);
            assertThat(c.send(post("/publish", "{nope")).read().status()).isEqualTo(400);
            assertThat(c.send(post("/publish", "{\"items\":[]}")).read().status())
                    .isEqualTo(200);
        }
    }
}
