package dev.outpost.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.Browser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocket.Listener;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inspector in Debian's Chromium (playwright-core, {@code src/test/browser/inspector.mjs}): the page lists the
 * held connections with their channels, then each publish, its delivery and a publish nobody was subscribed to;
 * the explain view says why a connection missed an item. Screenshots go to the build folder's
 * {@code inspector-screenshots}.
 */
@ExtendWith(LeakGuard.class)
@Timeout(120)
class InspectorBrowserTest {
    static final Path DIR = Browser.DIR;

    /** {@code target-*} beside {@code test-classes}. */
    static Path buildDir() throws Exception {
        return Path.of(InspectorBrowserTest.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .getParent();
    }

    @Test
    void inspectorShowsSubscriptionPublishAndDelivery() throws Exception {
        Browser.assumeReady();
        Path shots = Files.createDirectories(buildDir().resolve("inspector-screenshots"));
        try (OutpostProxy proxy = ProxyHarness.start("", b -> b.setting(InspectorSettings.PORT, "0"));
                RawHttp stream = new RawHttp(proxy.httpPort());
                RawHttp poll = new RawHttp(proxy.httpPort());
                RawHttp other = new RawHttp(proxy.httpPort())) {
            WebSocket ws = null;
            Process node = new ProcessBuilder(
                            "node",
                            "inspector.mjs",
                            "http://127.0.0.1:" + proxy.inspectorAddress().getPort() + "/",
                            shots.toString(),
                            "30000")
                    .directory(DIR.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(out.readLine())
                        .as("the inspector did not connect its feed")
                        .isEqualTo("READY");
                stream.send(RawHttp.get("/stream?channel=news"));
                assertThat(stream.readHead().status()).isEqualTo(200);
                poll.send(RawHttp.get("/response?channel=news"));
                other.send(RawHttp.get("/response?channel=alerts"));
                BlockingQueue<String> wsGot = new LinkedBlockingQueue<>();
                ws = HttpClient.newHttpClient()
                        .newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + proxy.httpPort() + "/ws?channel=news"), new Listener() {
                                    @Override
                                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                                        wsGot.add(data.toString());
                                        w.request(1);
                                        return null;
                                    }
                                })
                        .get(10, TimeUnit.SECONDS);
                assertThat(out.readLine())
                        .as("the page did not list the held connections")
                        .isEqualTo("SUBSCRIBED");
                Awaitility.await()
                        .atMost(Duration.ofSeconds(10))
                        .until(() -> proxy.hub().subscriberCount("news") == 3);
                Publisher.publish(
                        proxy.publishPort(),
                        "{\"items\":[{\"channel\":\"news\",\"id\":\"n1\",\"formats\":{"
                                + "\"http-response\":{\"body\":\"extra!\\n\"},\"http-stream\":{\"content\":\"extra!\\n\"},"
                                + "\"ws-message\":{\"content\":\"extra!\"}}}]}");
                assertThat(poll.read().text()).isEqualTo("extra!\n");
                assertThat(wsGot.poll(10, TimeUnit.SECONDS)).isEqualTo("extra!");
                Publisher.publish(
                        proxy.publishPort(),
                        "{\"items\":[{\"channel\":\"sports\",\"id\":\"s1\","
                                + "\"formats\":{\"http-stream\":{\"content\":\"goal\\n\"}}}]}");
                String json = out.readLine();
                assertThat(json).as("no result from the browser").isNotNull();
                JsonNode r = new ObjectMapper().readTree(json);
                assertThat(r.path("ok").asBoolean()).as(json).isTrue();
                assertThat(r.path("connections").toString()).contains("news", "alerts", "long-poll", "stream", "ws");
                assertThat(r.path("publishes").toString())
                        .contains("#1", "news", "n1", "reached 3 of 3", "#2", "sports", "no subscriber 1");
                assertThat(r.path("events").toString()).contains("hold", "publish", "deliver", "no_subscriber");
                assertThat(r.path("explain").asText())
                        .contains("not delivered", "not subscribed to channel news", "alerts");
                assertThat(r.path("publish").asText()).contains("delivered");
                for (String name : new String[] {"inspector.png", "inspector-explain.png", "inspector-publish.png"}) {
                    assertThat(shots.resolve(name)).isNotEmptyFile();
                }
            } finally {
                if (ws != null) {
                    ws.abort();
                }
                if (!node.waitFor(30, TimeUnit.SECONDS)) {
                    node.destroyForcibly();
                }
            }
        }
    }
}
