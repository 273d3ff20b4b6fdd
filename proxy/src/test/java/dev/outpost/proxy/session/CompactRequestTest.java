package dev.outpost.proxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class CompactRequestTest {

    private static HttpRequest request() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.POST, "/stream/a?x=1");
        r.headers()
                .add("Host", "example.com:8080")
                .add("Connection", "keep-alive, X-Hop")
                .add("X-Hop", "1")
                .add("X-Forwarded-For", "10.0.0.1")
                .add("Accept", "text/plain")
                .add("x-forwarded-for", "10.0.0.2")
                .add("Transfer-Encoding", "chunked")
                .add("Grip-Sig", "dropped");
        return r;
    }

    @Test
    void keepsLineAndEveryHeaderInOrder() {
        HttpRequest r = request();
        HttpRequest c = RequestPlan.compact(r);
        assertThat(c.method()).isEqualTo(HttpMethod.POST);
        assertThat(c.uri()).isEqualTo("/stream/a?x=1");
        assertThat(c.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
        assertThat(c.headers().entries().toString())
                .isEqualTo(r.headers().entries().toString());
        assertThat(c.headers().get("host")).isEqualTo("example.com:8080");
        assertThat(c.headers().getAll("X-FORWARDED-FOR")).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(HttpUtil.isTransferEncodingChunked(c)).isTrue();
        assertThat(HttpUtil.isContentLengthSet(c)).isFalse();
        assertThat(c.headers().getAll("Connection")).containsExactly("keep-alive, X-Hop");
    }

    @Test
    void originHeadersBuiltFromTheCopyAreTheSame() {
        HttpRequest r = request();
        HttpHeaders fromFull = new DefaultHttpHeaders();
        HttpHeaders fromCompact = new DefaultHttpHeaders();
        Headers.cleanRequest(r.headers(), fromFull, true);
        Headers.cleanRequest(RequestPlan.compact(r).headers(), fromCompact, true);
        assertThat(fromCompact.entries().toString())
                .isEqualTo(fromFull.entries().toString());
        // X-Forwarded-For lines are joined later, by the forwarding rules (ForwardedHeaders)
        assertThat(fromCompact.entries().stream().map(e -> e.getKey()).toList())
                .containsExactly("Host", "X-Forwarded-For", "Accept", "x-forwarded-for");
        assertThat(fromCompact.contains("X-Hop")).isFalse();
        assertThat(fromCompact.getAll("X-Forwarded-For")).containsExactly("10.0.0.1", "10.0.0.2");
    }

    @Test
    void noHeaders() {
        HttpRequest c = RequestPlan.compact(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        assertThat(c.headers().isEmpty()).isTrue();
        assertThat(c.headers().get(HttpHeaderNames.HOST)).isNull();
    }
}
