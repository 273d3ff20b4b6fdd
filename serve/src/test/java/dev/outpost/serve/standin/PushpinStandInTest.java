package dev.outpost.serve.standin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.serve.ServeException;
import dev.outpost.testkit.FreePorts;
import dev.outpost.testkit.Lines;
import dev.outpost.testkit.TestOrigin;
import dev.outpost.testkit.TestPublisher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * bin/pushpin's proxy with a configuration shaped as the Fastly CLI 16 writes it (its keys, an {@code include} of
 * Pushpin's internal.conf, run and log folders that do not exist, ZeroMQ specs on the ports after the publish port),
 * a routes file with one {@code id=} line per backend, and requests routed by {@code Pushpin-Route}.
 */
@Timeout(60)
class PushpinStandInTest {
    static final String SIG_KEY = "viceroy_dev_signing_key_dont_use_in_production";

    @TempDir
    Path dir;

    private TestOrigin origin;
    private final BlockingQueue<String> gripSigs = new LinkedBlockingQueue<>();
    private PushpinStandIn standIn;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final List<String> confWarnings = new ArrayList<>();
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        Logger pushpinLog = (Logger) LoggerFactory.getLogger("pushpin");
        pushpinLog.setLevel(Level.INFO);
        logged.start();
        pushpinLog.addAppender(logged);
        origin = new TestOrigin().otherwise(exchange -> {
            String sig = exchange.getRequestHeaders().getFirst("grip-sig");
            gripSigs.add(sig == null ? "(none)" : sig);
            exchange.getResponseHeaders().add("content-type", "text/plain");
            exchange.getResponseHeaders().add("grip-hold", "stream");
            exchange.getResponseHeaders().add("grip-channel", "test");
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write("held\n".getBytes(StandardCharsets.UTF_8));
            exchange.close();
        });
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stop() {
        if (standIn != null) {
            standIn.close();
        }
        origin.close();
        http.shutdownNow();
        Logger pushpinLog = (Logger) LoggerFactory.getLogger("pushpin");
        pushpinLog.detachAppender(logged);
        pushpinLog.setLevel(null);
    }

    /** The configuration as the Fastly CLI writes it, plus one key Pushpin does not know. */
    private Path cliShapedConf(int proxyPort, int publishPort, Path routes) throws IOException {
        String conf = String.join(
                "\n",
                "[global]",
                "include={libdir}/internal.conf",
                "rundir=" + dir.resolve("pushpin-0000abcd"),
                "ipc_prefix=",
                "port_offset=0",
                "stats_connection_ttl=120",
                "stats_connection_send=true",
                "",
                "[runner]",
                "services=connmgr,proxy,handler",
                "http_port=" + proxyPort,
                "logdir=" + dir.resolve("pushpin-logs"),
                "log_level=2",
                "client_buffer_size=8192",
                "client_maxconn=50000",
                "allow_compression=false",
                "",
                "[proxy]",
                "routesfile=" + routes,
                "debug=false",
                "auto_cross_origin=false",
                "accept_x_forwarded_protocol=false",
                "set_x_forwarded_protocol=proto-only",
                "x_forwarded_for=",
                "accept_pushpin_route=true",
                "cdn_loop=",
                "sig_iss=viceroy",
                "sig_key=" + SIG_KEY,
                "upstream_key=",
                "updates_check=report",
                "organization_name=",
                "some_future_key=1",
                "",
                "[handler]",
                "push_in_spec=tcp://127.0.0.1:" + (publishPort + 1),
                "push_in_sub_specs=tcp://127.0.0.1:" + (publishPort + 2),
                "push_in_sub_connect=false",
                "push_in_http_addr=0.0.0.0",
                "push_in_http_port=" + publishPort,
                "push_in_http_max_headers_size=8192",
                "push_in_http_max_body_size=65536",
                "stats_spec=ipc://{rundir}/{ipc_prefix}stats",
                "command_spec=tcp://127.0.0.1:" + (publishPort + 3),
                "message_rate=2500",
                "message_hwm=25000",
                "message_wait=5000",
                "id_cache_ttl=60",
                "update_on_first_subscription=true",
                "connection_subscription_max=20",
                "subscription_linger=60",
                "stats_subscription_ttl=60",
                "stats_report_interval=10",
                "stats_format=tnetstring",
                "");
        Path file = dir.resolve("pushpin-0000abcd.conf");
        Files.writeString(file, conf);
        return file;
    }

    private PushpinStandIn startFromCliConf(int proxyPort, int publishPort) throws Exception {
        Path routes = dir.resolve("pushpin-routes-0000abcd");
        Files.writeString(
                routes,
                "id=origin localhost:1,over_http,host=localhost:1\n" + "id=self 127.0.0.1:" + origin.port()
                        + ",over_http,host=app.local\n");
        ProxyConfig.Builder b = PushpinConf.load(cliShapedConf(proxyPort, publishPort, routes), confWarnings::add);
        InspectorOption.OFF.applyTo(b);
        return PushpinStandIn.start(b.build(), false);
    }

    @Test
    void readsTheCliConfigurationServesItsZeroMqInputsAndSaysOnceWhatItDoesNotUse() throws Exception {
        int proxyPort = FreePorts.port();
        int publishPort = FreePorts.range(4);
        standIn = startFromCliConf(proxyPort, publishPort);

        assertThat(confWarnings)
                .containsExactly(
                        dir.resolve("pushpin-0000abcd.conf") + ": [proxy] some_future_key: unknown key, ignored");
        List<String> lines =
                logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("include /usr/lib/pushpin/internal.conf: not read")))
                .hasSize(1);
        assertThat(lines.stream().filter(l -> l.startsWith("global/rundir " + dir.resolve("pushpin-0000abcd"))))
                .hasSize(1);
        assertThat(lines.stream().filter(l -> l.startsWith("runner/logdir " + dir.resolve("pushpin-logs"))))
                .hasSize(1);
        // Nothing is created in their place.
        assertThat(dir.resolve("pushpin-0000abcd")).doesNotExist();
        assertThat(dir.resolve("pushpin-logs")).doesNotExist();
        // "started" is the last line, and by then both ports accept connections.
        assertThat(lines.getLast()).isEqualTo("started");
        connect(proxyPort);
        connect(publishPort);
        // Pushpin's ZeroMQ inputs are served where the configuration puts them (PULL, SUB, commands).
        connect(publishPort + 1);
        connect(publishPort + 2);
        connect(publishPort + 3);
    }

    @Test
    void aPushpinRouteRequestIsSignedWithTheDevelopmentKeyAndHeldUntilAPublish() throws Exception {
        int proxyPort = FreePorts.port();
        int publishPort = FreePorts.range(4);
        standIn = startFromCliConf(proxyPort, publishPort);

        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/test/stream"))
                        .header("Pushpin-Route", "self")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        SignedJWT sig = SignedJWT.parse(gripSigs.poll(10, TimeUnit.SECONDS));
        assertThat(sig.verify(new MACVerifier(SIG_KEY.getBytes(StandardCharsets.UTF_8))))
                .isTrue();
        assertThat(sig.getJWTClaimsSet().getIssuer()).isEqualTo("viceroy");
        try (BufferedReader in = Lines.reader(r.body())) {
            assertThat(in.readLine()).isEqualTo("held");
            CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            // push_in_http_addr=0.0.0.0: the publish port answers on every address, loopback included.
            while (!next.isDone()) {
                HttpResponse<String> p = new TestPublisher(http, publishPort)
                        .post(TestPublisher.items("test", "\"http-stream\":{\"content\":\"hi\\n\"}"));
                assertThat(p.body()).isEqualTo("Published\n");
                Thread.sleep(200);
            }
            assertThat(next.get()).isEqualTo("hi");
        }
    }

    @Test
    void aRequestWithoutPushpinRouteMatchesNoRouteOfTheCli() throws Exception {
        int proxyPort = FreePorts.port();
        standIn = startFromCliConf(proxyPort, FreePorts.range(4));
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(gripSigs).isEmpty();
    }

    @Test
    void commandLineRoutesReplaceTheRoutesFileAndAMissingRoutesFileIsAnError() throws Exception {
        int proxyPort = FreePorts.port();
        ProxyConfig.Builder b = ProxyConfig.builder()
                .httpPort(proxyPort)
                .publishPort(0)
                .routesFile(dir.resolve("missing-routes"))
                .routeLines(List.of("* 127.0.0.1:" + origin.port() + ",over_http"));
        InspectorOption.OFF.applyTo(b);
        standIn = PushpinStandIn.start(b.build(), false);
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/x"))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        r.body().close();

        ProxyConfig.Builder missing =
                ProxyConfig.builder().httpPort(0).publishPort(0).routesFile(dir.resolve("missing-routes"));
        InspectorOption.OFF.applyTo(missing);
        Assertions.assertThatThrownBy(() -> PushpinStandIn.start(missing.build(), false))
                .isInstanceOf(ServeException.class)
                .hasMessage("routes file " + dir.resolve("missing-routes") + ": not found (expected: a readable file)");
    }

    @Test
    void aTakenPortFailsWithoutStarting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProxyConfig.Builder b =
                    ProxyConfig.builder().httpPort(taken.getLocalPort()).publishPort(0);
            InspectorOption.OFF.applyTo(b);
            Assertions.assertThatThrownBy(() -> PushpinStandIn.start(b.build(), false))
                    .isInstanceOf(ServeException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(logged.list.stream().map(ILoggingEvent::getFormattedMessage)).doesNotContain("started");
    }

    private static void connect(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        }
    }
}
