package dev.outpost.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.grip.sig.GripSig;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.support.LeakGuard;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.proxy.support.RawHttp;
import dev.outpost.testkit.TestOrigin;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Route selection and the route/target options that change a proxied request. */
@ExtendWith(LeakGuard.class)
@Timeout(60)
class RoutingTest {
    TestOrigin a;
    TestOrigin b;

    @BeforeEach
    void origins() throws Exception {
        a = new TestOrigin();
        b = new TestOrigin();
        a.on("/x", ex -> TestOrigin.respond(ex, 200, "text/plain", "a"));
        b.on("/x", ex -> TestOrigin.respond(ex, 200, "text/plain", "b"));
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    private static RawHttp.Response get(OutpostProxy p, String raw) throws Exception {
        try (RawHttp c = new RawHttp(p.httpPort())) {
            return c.send(raw).read();
        }
    }

    @Test
    void hostHeaderWithoutPortPicksTheRoute() throws Exception {
        try (OutpostProxy p = ProxyHarness.start("example.com 127.0.0.1:" + a.port() + "\n* 127.0.0.1:" + b.port())) {
            assertThat(get(p, "GET /x HTTP/1.1\r\nHost: example.com:8080\r\n\r\n")
                            .text())
                    .isEqualTo("a");
            assertThat(get(p, "GET /x HTTP/1.1\r\nHost: other.org\r\n\r\n").text())
                    .isEqualTo("b");
        }
    }

    @Test
    void noMatchingRouteIs502NamingTheHost() throws Exception {
        try (OutpostProxy p = ProxyHarness.start("example.com 127.0.0.1:" + a.port())) {
            RawHttp.Response r = get(p, RawHttp.get("/x"));
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            assertThat(r.text()).isEqualTo("No route for host: localhost\n");
        }
    }

    @Test
    void requestWithoutHostIsRoutedAsLocalhost() throws Exception {
        try (OutpostProxy p = ProxyHarness.start("localhost 127.0.0.1:" + a.port())) {
            assertThat(get(p, "GET /x HTTP/1.0\r\n\r\n").text()).isEqualTo("a");
            RawHttp.Response r = get(p, "GET /x HTTP/1.1\r\nHost: elsewhere:81\r\n\r\n");
            assertThat(r.text()).isEqualTo("No route for host: elsewhere\n");
        }
    }

    @Test
    void pushpinRouteHeaderPicksTheRouteByIdAndIsStripped() throws Exception {
        String routes = "*,id=first 127.0.0.1:" + a.port() + "\nexample.com,id=second 127.0.0.1:" + b.port();
        try (OutpostProxy p = ProxyHarness.start(routes, c -> c.acceptPushpinRoute(true))) {
            assertThat(get(p, RawHttp.get("/x", "Pushpin-Route: second")).text())
                    .isEqualTo("b");
            assertThat(b.take().header("Pushpin-Route")).isNull();
            assertThat(get(p, RawHttp.get("/x", "Pushpin-Route: nope")).text())
                    .isEqualTo("No route for host: localhost\n");
        }
    }

    @Test
    void pushpinRouteHeaderIsIgnoredWhenNotAccepted() throws Exception {
        String routes = "*,id=first 127.0.0.1:" + a.port() + "\nexample.com,id=second 127.0.0.1:" + b.port();
        try (OutpostProxy p = ProxyHarness.start(routes)) {
            assertThat(get(p, RawHttp.get("/x", "Pushpin-Route: second")).text())
                    .isEqualTo("a");
            assertThat(a.take().header("Pushpin-Route")).isEqualTo("second");
        }
    }

    @Test
    void replaceBegRewritesThePathAndHeaderPropsSetHeaders() throws Exception {
        a.on("/v2/x", ex -> TestOrigin.respond(ex, 200, "text/plain", "v2"));
        String routes = "*,path_beg=/api/,replace_beg=/v2/,header=X-Route:yes,header=X-Drop: 127.0.0.1:" + a.port();
        try (OutpostProxy p = ProxyHarness.start(routes)) {
            assertThat(get(p, RawHttp.get("/api/x?q=1", "X-Route: client", "X-Drop: 1"))
                            .text())
                    .isEqualTo("v2");
        }
        TestOrigin.Seen s = a.take();
        assertThat(s.uri()).isEqualTo("/v2/x?q=1");
        assertThat(s.header("X-Route")).isEqualTo("yes");
        assertThat(s.header("X-Drop")).isNull();
    }

    @Test
    void asHostAndPathRemRewriteTheRequest() throws Exception {
        try (OutpostProxy p =
                ProxyHarness.start("*,as_host=front.example,path_beg=/api,path_rem=4 127.0.0.1:" + a.port())) {
            assertThat(get(p, RawHttp.get("/api/x")).text()).isEqualTo("a");
        }
        TestOrigin.Seen s = a.take();
        assertThat(s.uri()).isEqualTo("/x");
        assertThat(s.header("Host")).isEqualTo("front.example");
    }

    @Test
    void targetHostOptionSetsTheHostHeader() throws Exception {
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + a.port() + ",host=internal.example")) {
            get(p, RawHttp.get("/x"));
        }
        assertThat(a.take().header("Host")).isEqualTo("internal.example");
    }

    @Test
    void routeSigKeyOverridesTheDefault() throws Exception {
        try (OutpostProxy p = ProxyHarness.start(
                "*,sig_key=routekey,sig_iss=me 127.0.0.1:" + a.port(), c -> c.sigKey("globalkey".getBytes()))) {
            get(p, RawHttp.get("/x"));
        }
        String sig = a.take().header("Grip-Sig");
        assertThat(GripSig.verify(sig, "routekey".getBytes(), Instant.now())).isTrue();
        assertThat(GripSig.verify(sig, "globalkey".getBytes(), Instant.now())).isFalse();
    }

    @Test
    void noGripRelaysGripHeadersAndDoesNotSign() throws Exception {
        a.on("/g", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "response");
            ex.getResponseHeaders().add("Grip-Channel", "ng");
            TestOrigin.respond(ex, 200, "text/plain", "as is");
        });
        try (OutpostProxy p = ProxyHarness.start("*,no_grip 127.0.0.1:" + a.port(), c -> c.sigKey("k".getBytes()))) {
            RawHttp.Response r = get(p, RawHttp.get("/g"));
            assertThat(r.header("Grip-Hold")).isEqualTo("response");
            assertThat(r.text()).isEqualTo("as is");
        }
        assertThat(a.take().header("Grip-Sig")).isNull();
    }

    @Test
    void routePrefixIsPrependedToChannels() throws Exception {
        a.on("/h", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "response");
            ex.getResponseHeaders().add("Grip-Channel", "c");
            TestOrigin.respond(ex, 200, "text/plain", "t");
        });
        try (OutpostProxy p = ProxyHarness.start("*,prefix=pre- 127.0.0.1:" + a.port());
                RawHttp c = new RawHttp(p.httpPort())) {
            c.send(RawHttp.get("/h"));
            await().atMost(Duration.ofSeconds(10)).until(() -> p.hub().subscriberCount("pre-c") == 1);
            assertThat(p.hub().subscriberCount("c")).isZero();
            Publisher.publishText(p.publishPort(), "pre-c", "prefixed");
            assertThat(c.read().text()).isEqualTo("prefixed");
        }
    }

    @Test
    void targetSubsAreImplicitSubscriptions() throws Exception {
        a.on("/h", ex -> {
            ex.getResponseHeaders().add("Grip-Hold", "stream");
            ex.getResponseHeaders().add("Grip-Channel", "own");
            TestOrigin.respond(ex, 200, "text/plain", "");
        });
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + a.port() + ",sub=extra");
                RawHttp c = new RawHttp(p.httpPort())) {
            c.send(RawHttp.get("/h")).readHead();
            await().atMost(Duration.ofSeconds(10)).until(() -> p.hub().subscriberCount("extra") == 1);
            assertThat(p.hub().subscriberCount("own")).isEqualTo(1);
            Publisher.publishText(p.publishPort(), "extra", "via sub\n");
            assertThat(c.readChunkText()).isEqualTo("via sub\n");
        }
    }

    @Test
    void routesCanBeReplacedWhileRunning() throws Exception {
        try (OutpostProxy p = ProxyHarness.start("* 127.0.0.1:" + a.port())) {
            assertThat(get(p, RawHttp.get("/x")).text()).isEqualTo("a");
            p.updateRoutes(RouteTable.of(RoutesParser.parse("* 127.0.0.1:" + b.port(), "t")));
            assertThat(get(p, RawHttp.get("/x")).text()).isEqualTo("b");
        }
    }

    @Test
    void clientMaxConnRefusesConnectionsPastTheLimit() throws Exception {
        try (OutpostProxy p = ProxyHarness.start(null, c -> c.clientMaxConn(1));
                RawHttp first = new RawHttp(p.httpPort())) {
            first.send(RawHttp.get("/stream?channel=maxconn")).readHead();
            await().until(() -> p.openConnections() == 1);
            try (RawHttp second = new RawHttp(p.httpPort())) {
                second.send(RawHttp.get("/"));
                assertThat(second.closedByPeer()).isTrue();
            }
            await().until(() -> p.openConnections() == 1);
        }
    }
}
