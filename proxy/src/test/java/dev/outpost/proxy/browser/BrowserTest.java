package dev.outpost.proxy.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.Browser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.testkit.TestOrigin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real browser through the proxy: Debian's Chromium, driven by playwright-core ({@code src/test/browser}), opens a
 * page from an in-test origin with an {@code EventSource} (a stream hold) and a {@code WebSocket} (to a
 * WebSocket-over-HTTP origin); publishes then reach both.
 */
@ExtendWith(LeakGuard.class)
@Timeout(120)
class BrowserTest {
    static final Path DIR = Browser.DIR;

    private static void origin(TestOrigin origin) throws Exception {
        byte[] page = Files.readAllBytes(DIR.resolve("page.html"));
        origin.on("/", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            ex.sendResponseHeaders(200, page.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(page);
            }
        });
        origin.on("/events", ex -> {
            byte[] b = "retry: 1000\n\ndata: initial\n\n".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/event-stream");
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            ex.getResponseHeaders().set("Grip-Hold", "stream");
            ex.getResponseHeaders().set("Grip-Channel", "news");
            ex.getResponseHeaders().set("Grip-Keep-Alive", ":\\n\\n; format=cstring; timeout=1");
            ex.sendResponseHeaders(200, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        origin.on("/ws/chat", ex -> {
            List<WsEvent> out = new ArrayList<>();
            try {
                for (WsEvent e : WsEventCodec.decode(TestOrigin.body(ex))) {
                    if (e instanceof WsEvent.Open) {
                        out.add(e);
                        out.add(new WsEvent.Text("c:{\"type\":\"subscribe\",\"channel\":\"live\"}"));
                        ex.getResponseHeaders().set("Sec-WebSocket-Extensions", "grip");
                    } else if (e instanceof WsEvent.Text t) {
                        out.add(new WsEvent.Text("m:echo " + new String(t.content(), StandardCharsets.UTF_8)));
                    } else if (e instanceof WsEvent.Close c) {
                        out.add(c);
                    }
                }
            } catch (Exception e) {
                throw new IOException(e);
            }
            byte[] b = WsEventCodec.encode(out);
            ex.getResponseHeaders().set("Content-Type", "application/websocket-events");
            ex.sendResponseHeaders(200, b.length == 0 ? -1 : b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
    }

    @Test
    void eventSourceAndWebSocketInChromium() throws Exception {
        Browser.assumeReady();
        try (TestOrigin origin = new TestOrigin()) {
            origin(origin);
            String target = "127.0.0.1:" + origin.port();
            try (OutpostProxy proxy =
                    ProxyHarness.start("*,path_beg=/ws " + target + ",over_http\n* " + target + "\n")) {
                Process node = new ProcessBuilder(
                                "node", "run.mjs", "http://127.0.0.1:" + proxy.httpPort() + "/", "30000")
                        .directory(DIR.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                    String line = out.readLine();
                    assertThat(line).as("the page did not get ready").isEqualTo("READY");
                    Awaitility.await()
                            .atMost(Duration.ofSeconds(10))
                            .until(() -> proxy.hub().subscriberCount("news") == 1
                                    && proxy.hub().subscriberCount("live") == 1);
                    Publisher.publish(
                            proxy.publishPort(),
                            "{\"items\":["
                                    + "{\"channel\":\"news\",\"formats\":{\"http-stream\":{\"content\":"
                                    + "\"event: update\\nid: 9\\ndata: sse published\\n\\n\"}}},"
                                    + "{\"channel\":\"live\",\"formats\":{\"ws-message\":{\"content\":\"ws published\"}}}]}");
                    Publisher.publish(
                            proxy.publishPort(),
                            "{\"items\":[{\"channel\":\"live\",\"formats\":"
                                    + "{\"ws-message\":{\"action\":\"close\",\"code\":4000,\"reason\":\"bye\"}}}]}");
                    String json = out.readLine();
                    assertThat(json).as("no result from the browser").isNotNull();
                    JsonNode r = new ObjectMapper().readTree(json);
                    assertThat(r.path("ok").asBoolean()).as(json).isTrue();
                    JsonNode res = r.path("results");
                    assertThat(res.path("sse").toString()).isEqualTo("[\"initial\",\"update:sse published:9\"]");
                    assertThat(res.path("ws").toString()).isEqualTo("[\"echo hello\",\"ws published\"]");
                    assertThat(res.path("wsClose").asText()).isEqualTo("4000 bye");
                } finally {
                    if (!node.waitFor(30, TimeUnit.SECONDS)) {
                        node.destroyForcibly();
                    }
                }
            }
        }
    }
}
