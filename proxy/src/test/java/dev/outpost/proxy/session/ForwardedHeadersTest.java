package dev.outpost.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.proxy.config.Forwarding;
import dev.outpost.proxy.config.Forwarding.SetProto;
import dev.outpost.proxy.config.Forwarding.XffRule;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The forwarding rules as Pushpin's {@code proxyutil.cpp} applies them, on header values alone. */
class ForwardedHeadersTest {
    private static final Forwarding STOCK =
            new Forwarding(false, SetProto.PROTO_ONLY, XffRule.KEEP, XffRule.KEEP, null);

    private static HttpHeaders client(String... nameValue) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValue.length; i += 2) {
            h.add(nameValue[i], nameValue[i + 1]);
        }
        return h;
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // entries | truncate | append | peer | expected
                "-|-1|false|10.9.9.9|-",
                "-|-1|true|10.9.9.9|10.9.9.9",
                "1.1.1.1, 2.2.2.2|-1|false|10.9.9.9|1.1.1.1, 2.2.2.2",
                "1.1.1.1, 2.2.2.2|0|false|10.9.9.9|-",
                "1.1.1.1, 2.2.2.2|0|true|10.9.9.9|10.9.9.9",
                "1.1.1.1, 2.2.2.2, 3.3.3.3|1|true|10.9.9.9|3.3.3.3, 10.9.9.9",
                "1.1.1.1, 2.2.2.2|5|false|10.9.9.9|1.1.1.1, 2.2.2.2",
                "1.1.1.1|-1|true|-|1.1.1.1",
            })
    void forwardedForKeepsTheLastEntriesThenAppends(
            String entries, int truncate, boolean append, String peer, String expected) {
        List<String> in = entries == null ? List.of() : ForwardedHeaders.split(List.of(entries));
        List<String> out = ForwardedHeaders.forwardedFor(in, new XffRule(truncate, append), peer);
        assertThat(out.isEmpty() ? null : String.join(", ", out)).isEqualTo(expected);
    }

    @Test
    void listsSplitAtCommasOutsideQuotes() {
        assertThat(ForwardedHeaders.split(List.of("a,b", " c ,\"d,e\"", "f,", ",g")))
                .containsExactly("a", "b", "c", "\"d,e\"", "f", "", "g");
        assertThat(ForwardedHeaders.split(List.of(""))).isEmpty();
    }

    @Test
    void withoutTheKeysEverythingPassesButForwardedForIsOneLine() {
        HttpHeaders h = client(
                "X-Forwarded-Proto",
                "https",
                "X-Forwarded-Protocol",
                "https",
                "X-Forwarded-For",
                "1.1.1.1,2.2.2.2",
                "X-Forwarded-For",
                "3.3.3.3",
                "CDN-Loop",
                "fastly");
        ForwardedHeaders.apply(h, Forwarding.NONE, false, "https", "10.9.9.9");
        assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("https");
        assertThat(h.getAll("X-Forwarded-Protocol")).containsExactly("https");
        assertThat(h.getAll("X-Forwarded-For")).containsExactly("1.1.1.1, 2.2.2.2, 3.3.3.3");
        assertThat(h.getAll("CDN-Loop")).containsExactly("fastly");
    }

    @Test
    void protoOnlyReplacesTheClientsHeadersAndNamesOnlyTls() {
        HttpHeaders plain = client("X-Forwarded-Proto", "https", "X-Forwarded-Protocol", "https");
        ForwardedHeaders.apply(plain, STOCK, false, null, "10.9.9.9");
        assertThat(plain.contains("X-Forwarded-Proto")).isFalse();
        assertThat(plain.contains("X-Forwarded-Protocol")).isFalse();

        HttpHeaders tls = client("X-Forwarded-Proto", "http");
        ForwardedHeaders.apply(tls, STOCK, false, "https", "10.9.9.9");
        assertThat(tls.getAll("X-Forwarded-Proto")).containsExactly("https");
        assertThat(tls.contains("X-Forwarded-Protocol")).isFalse();
    }

    @Test
    void trueSetsBothAndWebSocketsSayWss() {
        Forwarding both = new Forwarding(false, SetProto.BOTH, XffRule.KEEP, XffRule.KEEP, null);
        HttpHeaders h = client();
        ForwardedHeaders.apply(h, both, false, "wss", null);
        assertThat(h.getAll("X-Forwarded-Proto")).containsExactly("wss");
        assertThat(h.getAll("X-Forwarded-Protocol")).containsExactly("wss");
    }

    @Test
    void acceptAloneRemovesWithoutSetting() {
        Forwarding accept = new Forwarding(true, SetProto.NONE, XffRule.KEEP, XffRule.KEEP, null);
        HttpHeaders h = client("X-Forwarded-Proto", "https");
        assertThat(ForwardedHeaders.secure(accept, false, h)).isTrue();
        ForwardedHeaders.apply(h, accept, false, "https", null);
        assertThat(h.contains("X-Forwarded-Proto")).isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                // X-Forwarded-Proto | X-Forwarded-Protocol | secure
                "https|-|true",
                "wss|-|true",
                "http|https|false",
                "-|https|true",
                "HTTPS|-|false",
                "'https, http'|-|false",
                "-|-|false",
            })
    void acceptedClaimsAreExactlyHttpsOrWss(String proto, String protocol, boolean secure) {
        Forwarding accept = new Forwarding(true, SetProto.NONE, XffRule.KEEP, XffRule.KEEP, null);
        HttpHeaders h = client();
        if (proto != null) {
            h.add("X-Forwarded-Proto", proto);
        }
        if (protocol != null) {
            h.add("X-Forwarded-Protocol", protocol);
        }
        assertThat(ForwardedHeaders.secure(accept, false, h)).isEqualTo(secure);
        assertThat(ForwardedHeaders.secure(Forwarding.NONE, false, h)).isFalse();
        assertThat(ForwardedHeaders.secure(Forwarding.NONE, true, h)).isTrue();
    }

    @Test
    void trustedClientsHaveTheirOwnRule() {
        Forwarding f = new Forwarding(false, SetProto.NONE, new XffRule(0, true), new XffRule(-1, true), null);
        HttpHeaders fromClient = client("X-Forwarded-For", "6.6.6.6");
        ForwardedHeaders.apply(fromClient, f, false, null, "10.0.0.1");
        assertThat(fromClient.getAll("X-Forwarded-For")).containsExactly("10.0.0.1");

        HttpHeaders fromCdn = client("X-Forwarded-For", "203.0.113.5");
        ForwardedHeaders.apply(fromCdn, f, true, null, "10.0.0.1");
        assertThat(fromCdn.getAll("X-Forwarded-For")).containsExactly("203.0.113.5, 10.0.0.1");
    }

    @Test
    void cdnLoopIsAppendedToTheClientsList() {
        Forwarding f = new Forwarding(false, SetProto.NONE, XffRule.KEEP, XffRule.KEEP, "outpost");
        HttpHeaders h = client("CDN-Loop", "fastly, foo", "cdn-loop", "bar");
        ForwardedHeaders.apply(h, f, false, null, null);
        assertThat(h.getAll("CDN-Loop")).containsExactly("fastly, foo, bar, outpost");
        HttpHeaders none = client();
        ForwardedHeaders.apply(none, f, false, null, null);
        assertThat(none.getAll("CDN-Loop")).containsExactly("outpost");
    }

    @Test
    void peerAddressesAreWrittenAsPushpinWritesThem() throws Exception {
        assertThat(ForwardedHeaders.peer(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5)))
                .isEqualTo("127.0.0.1");
        assertThat(ForwardedHeaders.peer(new InetSocketAddress(InetAddress.getByName("::1"), 5)))
                .isEqualTo("::1");
        assertThat(ForwardedHeaders.peer(null)).isNull();
    }

    @Test
    void badValuesSayWhatIsExpected() {
        assertThat(Forwarding.parseXff(" truncate:3 , , append ")).isEqualTo(new XffRule(3, true));
        assertThat(Forwarding.parseXff("truncate:1,truncate:4")).isEqualTo(new XffRule(4, false));
        assertThat(Forwarding.parseXff("")).isEqualTo(XffRule.KEEP);
        assertThatThrownBy(() -> Forwarding.parseXff("truncate:two"))
                .hasMessage("expected: empty, or a comma list of truncate:N (N >= 0) and append; "
                        + "not understood: truncate:two");
        assertThat(Forwarding.parseSetProto(" proto-only ")).isEqualTo(SetProto.PROTO_ONLY);
        assertThat(Forwarding.parseSetProto("false")).isEqualTo(SetProto.NONE);
        assertThatThrownBy(() -> Forwarding.parseSetProto("on")).hasMessage("expected: true, proto-only or false");
        assertThat(Forwarding.parseCdnLoop("  ")).isNull();
        assertThatThrownBy(() -> Forwarding.parseCdnLoop("a\nb"))
                .hasMessage("expected: a header value without control characters");
    }
}
