package dev.outpost.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Which limit is in force as an HTTP/1.1 exchange goes by (the limits themselves are timed in the servers' tests). */
class ClientTimeoutsTest {
    private static final Duration MINUTE = Duration.ofSeconds(60);

    private static EmbeddedChannel channel(ClientTimeouts t) {
        EmbeddedChannel ch = new EmbeddedChannel(t);
        ch.config().setAutoRead(false);
        return ch;
    }

    @Test
    void theHeaderLimitThenNothingWhileAnsweringThenKeepAliveAndAfterA101Nothing() {
        ClientTimeouts t = new ClientTimeouts(MINUTE, MINUTE, MINUTE, (ctx, kind, after) -> {});
        EmbeddedChannel ch = channel(t);
        assertThat(t.state()).isEqualTo("client_header_timeout");

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ch.readInbound();
        assertThat(t.state()).isEqualTo("none");
        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        assertThat(t.state()).isEqualTo("client_keepalive_timeout");

        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/ws"));
        ch.readInbound();
        ch.writeInbound(new DefaultLastHttpContent());
        ch.readInbound();
        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
        assertThat(t.state()).isEqualTo("none");
        ch.finishAndReleaseAll();
    }
}
