package dev.outpost.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PushpinConfTest {
    private static final Path FILE = Path.of("/srv/app/pushpin.conf");

    private final List<String> warnings = new ArrayList<>();

    private ProxyConfig parse(String text) throws ConfigException {
        return PushpinConf.parse(text, FILE, warnings::add).build();
    }

    private ProxyConfig one(String section, String key, String value) throws ConfigException {
        return parse("[" + section + "]\n" + key + "=" + value + "\n");
    }

    @Test
    void emptyFileGivesPushpinDefaults() throws Exception {
        ProxyConfig c = parse("");
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(7999);
        assertThat(c.publishHost()).isEqualTo("127.0.0.1");
        assertThat(c.publishPort()).isEqualTo(5561);
        assertThat(c.routesFile()).isNull();
        assertThat(c.routeLines()).isEmpty();
        assertThat(c.sigIss()).isEqualTo("pushpin");
        assertThat(c.sigKey()).isNull();
        assertThat(c.debug()).isFalse();
        assertThat(c.clientMaxConn()).isEqualTo(50000);
        assertThat(c.logLevel()).isEqualTo(2);
        assertThat(c.acceptPushpinRoute()).isFalse();
        assertThat(c.publishMaxBodySize()).isEqualTo(1_000_000);
        assertThat(c.messageRate()).isEqualTo(-1);
        assertThat(c.messageHwm()).isEqualTo(-1);
        assertThat(c.messageWaitMs()).isEqualTo(5000);
        assertThat(c.idCacheTtlSeconds()).isZero();
        assertThat(c.connectionSubscriptionMax()).isEqualTo(20);
        assertThat(c.updateOnFirstSubscription()).isTrue();
        assertThat(warnings).isEmpty();
    }

    /** A configuration laid out like the one Pushpin's package installs (comments, placeholders, ZeroMQ specs). */
    private static final String STOCK_LIKE = """
            [global]
            include={libdir}/internal.conf
            rundir=/var/run/pushpin
            ipc_prefix=pushpin-
            port_offset=0
            stats_connection_ttl=120

            [runner]
            ; which services to run
            services=condure,pushpin-proxy,pushpin-handler
            http_port=7999
            #https_ports=443
            logdir=/var/log/pushpin
            log_level=2
            client_buffer_size=8192
            client_maxconn=50000
            condure_bin=condure

            [proxy]
            routesfile=routes
            debug=false
            auto_cross_origin=false
            accept_x_forwarded_protocol=false
            set_x_forwarded_protocol=proto-only
            x_forwarded_for=
            x_forwarded_for_trusted=
            orig_headers_need_mark=
            accept_pushpin_route=false
            log_from=false
            log_user_agent=false
            sig_iss=pushpin
            sig_key=changeme
            upstream_key=
            sockjs_url=http://cdn.jsdelivr.net/sockjs/0.3.4/sockjs.min.js
            updates_check=off
            organization_name=

            [handler]
            push_in_spec=tcp://127.0.0.1:5560
            push_in_sub_specs=tcp://127.0.0.1:5562
            push_in_sub_connect=false
            push_in_http_addr=127.0.0.1
            push_in_http_port=5561
            push_in_http_max_headers_size=10000
            push_in_http_max_body_size=1000000
            stats_spec=ipc://{rundir}/{ipc_prefix}stats
            command_spec=tcp://127.0.0.1:5563
            message_rate=2500
            message_hwm=25000
            message_wait=5000
            id_cache_ttl=60
            connection_subscription_max=20
            subscription_linger=60
            stats_subscription_ttl=60
            stats_report_interval=10
            stats_format=tnetstring
            """;

    @Test
    void forwardingKeysAbsentLeaveTheHeadersAlone() throws Exception {
        assertThat(Forwarding.of(parse(""))).isEqualTo(Forwarding.NONE);
    }

    @Test
    void stockForwardingIsProtoOnly() throws Exception {
        assertThat(Forwarding.of(parse(STOCK_LIKE)))
                .isEqualTo(new Forwarding(
                        false, Forwarding.SetProto.PROTO_ONLY, Forwarding.XffRule.KEEP, Forwarding.XffRule.KEEP, null));
    }

    @Test
    void forwardingKeysAreRead() throws Exception {
        ProxyConfig c = parse("""
                [proxy]
                accept_x_forwarded_protocol=yes
                set_x_forwarded_protocol=true
                x_forwarded_for=truncate:0, append
                x_forwarded_for_trusted=append,truncate:2
                cdn_loop="outpost; v=1"
                """);
        assertThat(Forwarding.of(c))
                .isEqualTo(new Forwarding(
                        true,
                        Forwarding.SetProto.BOTH,
                        new Forwarding.XffRule(0, true),
                        new Forwarding.XffRule(2, true),
                        "outpost; v=1"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void stockLayoutLoadsWithoutWarnings() throws Exception {
        ProxyConfig c = parse(STOCK_LIKE);
        assertThat(warnings).isEmpty();
        assertThat(c.httpPort()).isEqualTo(7999);
        assertThat(c.routesFile()).isEqualTo(Path.of("/srv/app/routes"));
        assertThat(c.sigKey()).isEqualTo("changeme".getBytes(StandardCharsets.UTF_8));
        assertThat(c.messageRate()).isEqualTo(2500);
        assertThat(c.messageHwm()).isEqualTo(25000);
        assertThat(c.idCacheTtlSeconds()).isEqualTo(60);
        assertThat(c.setting("handler/stats_spec")).hasValue("ipc:///var/run/pushpin/pushpin-stats");
        assertThat(c.setting("global/include")).hasValue("/usr/lib/pushpin/internal.conf");
    }

    @Test
    void installedPushpinConfigLoadsWithoutWarnings() throws Exception {
        Path installed = Path.of("/etc/pushpin/pushpin.conf");
        Assumptions.assumeTrue(Files.isReadable(installed), "Pushpin package not installed");
        ProxyConfig c = PushpinConf.load(installed, warnings::add).build();
        assertThat(warnings).isEmpty();
        assertThat(c.httpPort()).isEqualTo(7999);
        assertThat(c.publishPort()).isEqualTo(5561);
        assertThat(c.routesFile()).isEqualTo(Path.of("/etc/pushpin/routes"));
    }

    @Test
    void unknownKeysWarnOnceEach() throws Exception {
        parse("""
                [proxy]
                sig_kee=oops
                debug=true
                [handler]
                sig_kee=again
                message_rat=1
                [mystery]
                a=1
                top=1
                """);
        assertThat(warnings)
                .containsExactly(
                        "/srv/app/pushpin.conf: [proxy] sig_kee: unknown key, ignored",
                        "/srv/app/pushpin.conf: [handler] sig_kee: unknown key, ignored",
                        "/srv/app/pushpin.conf: [handler] message_rat: unknown key, ignored",
                        "/srv/app/pushpin.conf: [mystery] a: unknown key, ignored",
                        "/srv/app/pushpin.conf: [mystery] top: unknown key, ignored");
    }

    @Test
    void keyRepeatedInOneSectionWarnsOnceAndLastWins() throws Exception {
        ProxyConfig c = parse("[proxy]\nbogus=1\nbogus=2\nsig_iss=a\nsig_iss=b\n");
        assertThat(warnings).containsExactly("/srv/app/pushpin.conf: [proxy] bogus: unknown key, ignored");
        assertThat(c.sigIss()).isEqualTo("b");
    }

    @Test
    void keyInTheWrongSectionIsUnknown() throws Exception {
        ProxyConfig c = parse("[runner]\ndebug=true\n");
        assertThat(c.debug()).isFalse();
        assertThat(warnings).containsExactly("/srv/app/pushpin.conf: [runner] debug: unknown key, ignored");
    }

    @Test
    void keysBeforeAnySectionAreInGeneral() throws Exception {
        parse("debug=true\n");
        assertThat(warnings).containsExactly("/srv/app/pushpin.conf: [General] debug: unknown key, ignored");
    }

    @Test
    void unsupportedFeatureKeysGetANoteOnlyWhenSet() throws Exception {
        parse("[runner]\nhttps_ports=\nlocal_ports=\n[proxy]\nupstream_key=\nauto_cross_origin=false\n");
        assertThat(warnings).isEmpty();
        // https_ports and upstream_key are supported (TlsListenerTest, UpstreamKeyTest)
        parse("[runner]\nhttps_ports=443\nlocal_ports=/tmp/s\n[proxy]\nupstream_key=k\nauto_cross_origin=true\n");
        assertThat(warnings)
                .containsExactly(
                        "/srv/app/pushpin.conf: [runner] local_ports: not supported, ignored",
                        "/srv/app/pushpin.conf: [proxy] auto_cross_origin: not supported, ignored");
    }

    record Case(String section, String key, String value, Function<ProxyConfig, Object> get, Object expected) {}

    static List<Case> goodValues() {
        return List.of(
                new Case("runner", "http_port", "8080", ProxyConfig::httpPort, 8080),
                new Case("runner", "http_port", "0", ProxyConfig::httpPort, 0),
                new Case("runner", "http_port", " 8081 ", ProxyConfig::httpPort, 8081),
                new Case("runner", "http_port", "0.0.0.0:8082", ProxyConfig::httpHost, "0.0.0.0"),
                new Case("runner", "http_port", "0.0.0.0:8082", ProxyConfig::httpPort, 8082),
                new Case("runner", "http_port", "[::1]:8083", ProxyConfig::httpHost, "::1"),
                new Case("runner", "http_port", "[::1]:8083", ProxyConfig::httpPort, 8083),
                new Case("runner", "http_port", "*:8084", ProxyConfig::httpHost, "0.0.0.0"),
                new Case("runner", "http_port", "localhost:8085", ProxyConfig::httpHost, "localhost"),
                new Case("runner", "http_port", "8086", ProxyConfig::httpHost, "127.0.0.1"),
                new Case("runner", "client_maxconn", "100", ProxyConfig::clientMaxConn, 100),
                new Case("runner", "log_level", "3", ProxyConfig::logLevel, 3),
                new Case("runner", "log_level", "0", ProxyConfig::logLevel, 0),
                new Case("runner", "log_level", "condure:1,4", ProxyConfig::logLevel, 4),
                new Case("runner", "log_level", "condure:1", ProxyConfig::logLevel, 2),
                new Case("proxy", "routesfile", "routes", ProxyConfig::routesFile, Path.of("/srv/app/routes")),
                new Case(
                        "proxy",
                        "routesfile",
                        "conf.d/../my-routes",
                        ProxyConfig::routesFile,
                        Path.of("/srv/app/my-routes")),
                new Case(
                        "proxy",
                        "routesfile",
                        "/etc/other/routes",
                        ProxyConfig::routesFile,
                        Path.of("/etc/other/routes")),
                new Case(
                        "proxy",
                        "routesfile",
                        "{libdir}/routes",
                        ProxyConfig::routesFile,
                        Path.of("/usr/lib/pushpin/routes")),
                new Case("proxy", "routesfile", "", ProxyConfig::routesFile, null),
                new Case("proxy", "debug", "true", ProxyConfig::debug, true),
                new Case("proxy", "debug", "TRUE", ProxyConfig::debug, true),
                new Case("proxy", "debug", "yes", ProxyConfig::debug, true),
                new Case("proxy", "debug", "1", ProxyConfig::debug, true),
                new Case("proxy", "debug", "false", ProxyConfig::debug, false),
                new Case("proxy", "debug", "", ProxyConfig::debug, false),
                new Case("proxy", "accept_pushpin_route", "true", ProxyConfig::acceptPushpinRoute, true),
                new Case("proxy", "sig_iss", "my-proxy", ProxyConfig::sigIss, "my-proxy"),
                new Case("proxy", "sig_key", "secret", c -> str(c.sigKey()), "secret"),
                new Case("proxy", "sig_key", "a , b;c", c -> str(c.sigKey()), "a , b"),
                new Case("proxy", "sig_key", "\"a,b;c\"", c -> str(c.sigKey()), "a,b;c"),
                new Case("proxy", "sig_key", "base64:aGVsbG8=", c -> str(c.sigKey()), "hello"),
                new Case("proxy", "sig_key", "base64:aGVsbG8", c -> str(c.sigKey()), "hello"),
                new Case("proxy", "sig_key", "base64:-_8=", c -> c.sigKey().length, 2),
                new Case("proxy", "sig_key", "", ProxyConfig::sigKey, null),
                new Case("handler", "push_in_http_addr", "0.0.0.0", ProxyConfig::publishHost, "0.0.0.0"),
                new Case("handler", "push_in_http_addr", "::1", ProxyConfig::publishHost, "::1"),
                new Case("handler", "push_in_http_port", "6000", ProxyConfig::publishPort, 6000),
                new Case("handler", "push_in_http_max_body_size", "2048", ProxyConfig::publishMaxBodySize, 2048),
                new Case("handler", "push_in_max_body_size", "4096", ProxyConfig::publishMaxBodySize, 4096),
                new Case("handler", "message_rate", "100", ProxyConfig::messageRate, 100),
                new Case("handler", "message_rate", "-1", ProxyConfig::messageRate, -1),
                new Case("handler", "message_hwm", "500", ProxyConfig::messageHwm, 500),
                new Case("handler", "message_wait", "250", ProxyConfig::messageWaitMs, 250),
                new Case("handler", "id_cache_ttl", "60", ProxyConfig::idCacheTtlSeconds, 60),
                new Case("handler", "connection_subscription_max", "5", ProxyConfig::connectionSubscriptionMax, 5),
                new Case(
                        "handler",
                        "update_on_first_subscription",
                        "false",
                        ProxyConfig::updateOnFirstSubscription,
                        false));
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("goodValues")
    void eachKeyIsRead(Case c) throws Exception {
        ProxyConfig cfg = one(c.section(), c.key(), c.value());
        assertThat(c.get().apply(cfg)).isEqualTo(c.expected());
        assertThat(warnings).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "runner|http_port|abc|port 0-65535, or addr:port",
                "runner|http_port|65536|port 0-65535, or addr:port",
                "runner|http_port|-1|port 0-65535, or addr:port",
                "runner|http_port|99999999999|port 0-65535, or addr:port",
                "runner|http_port|127.0.0.1:|port 0-65535, or addr:port",
                "runner|http_port|::1:80|IPv6 address in brackets",
                "runner|http_port|[::1]80|IPv6 address in brackets",
                "runner|client_maxconn|0|integer >= 1",
                "runner|client_maxconn|many|integer >= 1",
                "runner|log_level|-1|integer >= 0",
                "runner|log_level|:3|integer >= 0",
                "runner|log_level|proxy:x|integer >= 0",
                "runner|log_level|loud|integer >= 0",
                "proxy|debug|maybe|true or false",
                "proxy|debug|'true,false'|true or false",
                "proxy|accept_pushpin_route|2|true or false",
                "proxy|sig_key|base64:!!!|valid Base64",
                "proxy|sig_key|base64:|non-empty Base64",
                "proxy|sig_key|file:key.pem|file: (PEM) keys are not supported",
                "proxy|routesfile|'a,b'|one file path",
                "handler|push_in_http_port|70000|integer 0-65535",
                "handler|push_in_http_port|x|integer 0-65535",
                "handler|push_in_http_addr|'a b'|IP address or host name",
                "handler|push_in_http_max_body_size|0|integer >= 1",
                "handler|message_rate|-2|integer >= -1",
                "handler|message_hwm|lots|integer >= -1",
                "handler|message_wait|-5|integer >= 0",
                "handler|id_cache_ttl|1.5|integer >= 0",
                "handler|connection_subscription_max|-1|integer >= 0",
                "handler|update_on_first_subscription|sometimes|true or false",
                "proxy|accept_x_forwarded_protocol|https|true or false",
                "proxy|set_x_forwarded_protocol|yes|true, proto-only or false",
                "proxy|set_x_forwarded_protocol|proto|true, proto-only or false",
                "proxy|set_x_forwarded_protocol|'true,proto-only'|one value",
                "proxy|x_forwarded_for|truncate|not understood: truncate",
                "proxy|x_forwarded_for|'truncate:-1,append'|truncate:N (N >= 0) and append",
                "proxy|x_forwarded_for|'truncate:1,prepend'|not understood: prepend",
                "proxy|x_forwarded_for_trusted|truncate:x|not understood: truncate:x",
                "proxy|cdn_loop|'a,b'|one value",
            })
    void badValuesNameFileKeyValueAndExpectation(String section, String key, String value, String expected) {
        assertThatThrownBy(() -> one(section, key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("/srv/app/pushpin.conf:2: [" + section + "] " + key + ": ")
                .hasMessageContaining(value.strip().isEmpty() ? "(empty)" : value.replace("\"", ""))
                .hasMessageContaining(expected);
    }

    @Test
    void severalHttpPortsUseTheFirstAndSaySo() throws Exception {
        ProxyConfig c = one("runner", "http_port", "7999,127.0.0.1:8000");
        assertThat(c.httpPort()).isEqualTo(7999);
        assertThat(warnings)
                .containsExactly(
                        "/srv/app/pushpin.conf: [runner] http_port: only the first entry (7999) is used, ignored: 127.0.0.1:8000");
    }

    @Test
    void emptyHttpPortKeepsTheDefault() throws Exception {
        assertThat(one("runner", "http_port", "").httpPort()).isEqualTo(7999);
    }

    @Test
    void portOffsetShiftsThePublishPortAsPushpinDoes() throws Exception {
        ProxyConfig c =
                parse("[global]\nport_offset=10\n[handler]\npush_in_http_port=5561\n[runner]\nhttp_port=7999\n");
        assertThat(c.publishPort()).isEqualTo(5571);
        assertThat(c.httpPort()).isEqualTo(7999);
    }

    @Test
    void commentsQuotesAndPlaceholders() throws Exception {
        ProxyConfig c = parse("""
                ; comment
                # comment
                [proxy]
                sig_iss = "quoted ; iss"   ; trailing comment
                sig_key=plain;comment
                routesfile={rundir}/routes
                [global]
                rundir=/run/pp
                """);
        assertThat(c.sigIss()).isEqualTo("quoted ; iss");
        assertThat(c.sigKey()).isEqualTo("plain".getBytes(StandardCharsets.UTF_8));
        assertThat(c.routesFile()).isEqualTo(Path.of("/run/pp/routes"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void lineWithoutEqualsIsReported() throws Exception {
        parse("[proxy]\ndebug true\n");
        assertThat(warnings).containsExactly("/srv/app/pushpin.conf:2: not a key=value line, ignored: debug true");
    }

    @Test
    void includeIsIgnoredSilently() throws Exception {
        parse("[global]\ninclude=/nonexistent/internal.conf\n");
        assertThat(warnings).isEmpty();
    }

    @Test
    void loadReadsTheFileAndResolvesRoutesNextToIt(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("pushpin.conf");
        Files.writeString(conf, "[proxy]\nroutesfile=routes\n[runner]\nhttp_port=0\n");
        ProxyConfig c = PushpinConf.load(conf, warnings::add).build();
        assertThat(c.routesFile()).isEqualTo(dir.resolve("routes").toAbsolutePath());
        assertThat(c.httpPort()).isZero();
    }

    @Test
    void relativeConfPathResolvesRoutesAgainstItsFolder() throws Exception {
        ProxyConfig c = PushpinConf.parse("[proxy]\nroutesfile=routes\n", Path.of("conf/pushpin.conf"), warnings::add)
                .build();
        assertThat(c.routesFile()).isEqualTo(Path.of("conf/routes").toAbsolutePath());
    }

    @Test
    void missingFileIsAConfigError(@TempDir Path dir) {
        Path conf = dir.resolve("nope.conf");
        assertThatThrownBy(() -> PushpinConf.load(conf, warnings::add))
                .isInstanceOf(ConfigException.class)
                .hasMessage(conf + ": cannot read (no such file)");
    }

    @Test
    void nonUtf8FileIsAConfigError(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("bin.conf");
        Files.write(conf, new byte[] {'[', 'p', ']', '\n', (byte) 0xff, (byte) 0xfe, '=', '1'});
        assertThatThrownBy(() -> PushpinConf.load(conf, warnings::add))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[", "]]]", "=", "[proxy", "\u0000", "a=\"", "a=\\", "a=b\\", "[x]\n=1\n=\n"})
    void oddTextNeverThrowsUnexpectedly(String text) {
        try {
            parse(text);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).contains("pushpin.conf");
        }
    }

    @Test
    void builderRoundTripAndOverride() throws Exception {
        ProxyConfig c = parse(STOCK_LIKE);
        ProxyConfig d = c.toBuilder().httpPort(0).addRouteLine("* test").build();
        assertThat(d.httpPort()).isZero();
        assertThat(d.routeLines()).containsExactly("* test");
        assertThat(d.sigKey()).isEqualTo(c.sigKey());
        assertThat(d.settings()).isEqualTo(c.settings());
        assertThat(d.messageHwm()).isEqualTo(25000);
    }
}
