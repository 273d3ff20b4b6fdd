package dev.outpost.proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.proxy.pubsub.Delivery;
import dev.outpost.proxy.pubsub.DeliveryFormat;
import dev.outpost.proxy.pubsub.Subscriber;
import dev.outpost.proxy.support.LeakGuard;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Long-poll holds on an in-memory channel with a stopped clock: what answers them, and when they go back to the origin. */
@ExtendWith(LeakGuard.class)
class ResponseHoldTest {
    static final HeldResponse TIMEOUT_RESPONSE = new HeldResponse(
            200, "OK", List.of(Map.entry("Content-Type", "text/plain"), Map.entry("X-Held", "1")), bytes("timeout\n"));

    final HoldFixture fx = new HoldFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ResponseHold hold(List<HoldChannel> channels, Map<String, String> meta, HeldResponse base, boolean head) {
        return new ResponseHold(
                fx.ctx(),
                fx.context(),
                new HoldHandoff(
                        new HoldHandoff.Client(HttpVersion.HTTP_1_1, true, head),
                        base,
                        new HoldHandoff.Instruction(channels, meta, 30, null, false),
                        HoldHandoff.Links.NONE,
                        false),
                fx.owner);
    }

    private ResponseHold hold(String channel) {
        return hold(List.of(new HoldChannel(channel, null, List.of())), Map.of(), TIMEOUT_RESPONSE, false);
    }

    private FullHttpResponse response() {
        List<Object> out = fx.written();
        assertThat(out).hasSize(1).first().isInstanceOf(FullHttpResponse.class);
        return (FullHttpResponse) out.get(0);
    }

    private static String body(FullHttpResponse r) {
        try {
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    private static String response(String channel, String fields) {
        return "{\"items\":[{\"channel\":\"" + channel + "\"" + fields + "}]}";
    }

    @Test
    void aPublishedResponseAnswersWithTheHeldHeadersUnderThePublishedOnes() {
        hold("c").start();
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(1);
        assertThat(fx.written()).isEmpty();

        fx.publish(response(
                "c",
                ",\"id\":\"1\",\"formats\":{\"http-response\":{\"code\":201,"
                        + "\"headers\":{\"Content-Type\":\"application/json\",\"X-Pub\":\"2\"},\"body\":\"{}\"}}"));
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(201);
        assertThat(r.headers().get("X-Held")).isEqualTo("1");
        assertThat(r.headers().get("X-Pub")).isEqualTo("2");
        assertThat(r.headers().getAll("Content-Type")).containsExactly("application/json");
        assertThat(HttpUtil.getContentLength(r)).isEqualTo(2);
        assertThat(HttpUtil.isKeepAlive(r)).isTrue();
        assertThat(body(r)).isEqualTo("{}");
        assertThat(fx.owner.finished).isTrue();
        assertThat(fx.hub.subscriberCount("c")).isZero();
        assertThat(fx.seen).containsExactly("delivered c:1");

        // over: the timer is gone and nothing more is written
        fx.advance(60, TimeUnit.SECONDS);
        assertThat(fx.written()).isEmpty();
        assertThat(fx.finish()).isFalse();
    }

    @Test
    void withoutAPublishTheOriginsResponseGoesOutWhenTheTimeoutEnds() {
        hold("c").start();
        fx.advance(29, TimeUnit.SECONDS);
        assertThat(fx.written()).isEmpty();
        fx.advance(1, TimeUnit.SECONDS);
        FullHttpResponse r = response();
        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get("X-Held")).isEqualTo("1");
        assertThat(body(r)).isEqualTo("timeout\n");
        assertThat(fx.seen).containsExactly("hold-ended timeout");
        assertThat(fx.hub.subscriberCount("c")).isZero();
        assertThat(fx.owner.finished).isTrue();
    }

    @Test
    void aHeadRequestGetsTheLengthWithoutTheBody() {
        hold(List.of(new HoldChannel("c", null, List.of())), Map.of(), TIMEOUT_RESPONSE, true)
                .start();
        fx.publish(response("c", ",\"formats\":{\"http-response\":{\"body\":\"hello\"}}"));
        FullHttpResponse r = response();
        assertThat(HttpUtil.getContentLength(r)).isEqualTo(5);
        assertThat(body(r)).isEmpty();
    }

    @Test
    void anItemWithoutTheResponseFormatLeavesTheRequestHeld() {
        hold("c").start();
        // a stream subscriber on the same channel takes the item; the long-poll does not see it at all
        fx.hub.subscribe("c", new Subscriber() {
            @Override
            public DeliveryFormat format() {
                return DeliveryFormat.HTTP_STREAM;
            }

            @Override
            public EventExecutor executor() {
                return ImmediateEventExecutor.INSTANCE;
            }

            @Override
            public void deliver(Delivery d) {}
        });
        fx.publish(response("c", ",\"formats\":{\"http-stream\":{\"content\":\"x\"}}"));
        assertThat(fx.written()).isEmpty();
        assertThat(fx.seen).isEmpty();
        assertThat(fx.owner.finished).isNull();
    }

    @Test
    void closeAndRefreshMeanNothingToALongPoll() {
        hold("c").start();
        fx.publish(response("c", ",\"id\":\"x\",\"formats\":{\"http-response\":{\"action\":\"close\"}}"));
        assertThat(fx.written()).isEmpty();
        assertThat(fx.seen).containsExactly("not-delivered c:x unsupported_action");
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(1);
    }

    @Test
    void aHintGoesBackToTheOrigin() {
        hold("c").start();
        fx.publish(response("c", ",\"formats\":{\"http-response\":{\"action\":\"hint\"}}"));
        assertThat(fx.owner.retries).containsExactly(Map.of());
        assertThat(fx.written()).isEmpty();
        assertThat(fx.hub.subscriberCount("c")).isZero();
    }

    @Test
    void aStaleLastIdAtHoldTimeRetriesWithGripLastInsteadOfSubscribing() {
        // the hub knows item 5 as the channel's last; the origin only knew 4
        ResponseHold other = hold("c");
        other.start();
        fx.publish(response("c", ",\"id\":\"5\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}"));
        assertThat(fx.hub.lastId("c")).isEqualTo("5");

        hold(List.of(new HoldChannel("c", "4", List.of())), Map.of(), TIMEOUT_RESPONSE, false)
                .start();
        assertThat(fx.owner.retries).containsExactly(Map.of("c", "4"));
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(1);
        assertThat(fx.hub.lastId("c")).isNull();
        other.clientClosed();
    }

    @Test
    void whenTheOwnerCannotRetryTheHoldSubscribesAndWaits() {
        ResponseHold other = hold("c");
        other.start();
        fx.publish(response("c", ",\"id\":\"5\",\"formats\":{\"http-stream\":{\"content\":\"x\"}}"));
        fx.owner.canRetry = false;
        ResponseHold h = hold(List.of(new HoldChannel("c", "4", List.of())), Map.of(), TIMEOUT_RESPONSE, false);
        h.start();
        assertThat(fx.owner.retries).hasSize(1);
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(2);
        other.clientClosed();
        fx.advance(30, TimeUnit.SECONDS);
        assertThat(body(response())).isEqualTo("timeout\n");
    }

    @Test
    void anItemThatDoesNotFollowThePrevIdRetriesAndOneThatDoesIsDelivered() {
        hold(List.of(new HoldChannel("c", "1", List.of())), Map.of(), TIMEOUT_RESPONSE, false)
                .start();
        fx.publish(response("c", ",\"id\":\"3\",\"prev-id\":\"2\",\"formats\":{\"http-response\":{\"body\":\"3\"}}"));
        assertThat(fx.seen).containsExactly("not-delivered c:3 dropped_sequence");
        assertThat(fx.owner.retries).containsExactly(Map.of("c", "1"));
        assertThat(fx.written()).isEmpty();

        fx.seen.clear();
        hold(List.of(new HoldChannel("d", "1", List.of())), Map.of(), TIMEOUT_RESPONSE, false)
                .start();
        fx.publish(response("d", ",\"id\":\"2\",\"prev-id\":\"1\",\"formats\":{\"http-response\":{\"body\":\"2\"}}"));
        assertThat(body(response())).isEqualTo("2");
        assertThat(fx.seen).containsExactly("delivered d:2");
    }

    @Test
    void aBodyPatchAppliesToTheHeldBody() throws Exception {
        hold(
                        List.of(new HoldChannel("c", null, List.of())),
                        Map.of(),
                        new HeldResponse(200, "OK", List.of(), bytes("{\"a\":1,\"b\":[]}")),
                        false)
                .start();
        fx.publish(
                response(
                        "c",
                        ",\"formats\":{\"http-response\":{\"body-patch\":"
                                + "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2},{\"op\":\"add\",\"path\":\"/b/-\",\"value\":3}]}}"));
        assertThat(new ObjectMapper().readTree(body(response())))
                .isEqualTo(new ObjectMapper().readTree("{\"a\":2,\"b\":[3]}"));
    }

    @Test
    void aPatchThatDoesNotApplyIsDroppedAndTheRequestStaysHeld() {
        hold("c").start();
        fx.publish(response(
                "c",
                ",\"id\":\"p\",\"formats\":{\"http-response\":{\"body-patch\":"
                        + "[{\"op\":\"replace\",\"path\":\"/missing\",\"value\":2}]}}"));
        assertThat(fx.written()).isEmpty();
        assertThat(fx.seen).containsExactly("not-delivered c:p patch_failed");
        assertThat(fx.hub.subscriberCount("c")).isEqualTo(1);
    }

    @Test
    void subscriptionFiltersLeaveItemsOut() {
        hold(List.of(new HoldChannel("c", null, List.of("skip-self"))), Map.of("user", "me"), TIMEOUT_RESPONSE, false)
                .start();
        fx.publish(response(
                "c", ",\"id\":\"mine\",\"meta\":{\"sender\":\"me\"},\"formats\":{\"http-response\":{\"body\":\"a\"}}"));
        assertThat(fx.written()).isEmpty();
        fx.publish(response(
                "c",
                ",\"id\":\"yours\",\"meta\":{\"sender\":\"you\"},\"formats\":{\"http-response\":{\"body\":\"b\"}}"));
        assertThat(body(response())).isEqualTo("b");
        assertThat(fx.seen).containsExactly("not-delivered c:mine filtered", "delivered c:yours");
    }

    @Test
    void shutdownAnswersWithTheTimeoutResponseAndEndsTheConnection() {
        ResponseHold h = hold("c");
        h.start();
        h.shutdown();
        FullHttpResponse r = response();
        assertThat(HttpUtil.isKeepAlive(r)).isFalse();
        assertThat(body(r)).isEqualTo("timeout\n");
        assertThat(fx.owner.finished).isFalse();
    }

    @Test
    void theClientLeavingUnsubscribesAndWritesNothing() {
        ResponseHold h = hold("c");
        h.start();
        h.clientClosed();
        h.clientClosed();
        assertThat(fx.hub.subscriberCount("c")).isZero();
        fx.publish(response("c", ",\"formats\":{\"http-response\":{\"body\":\"late\"}}"));
        fx.advance(60, TimeUnit.SECONDS);
        assertThat(fx.written()).isEmpty();
        assertThat(fx.owner.finished).isNull();
        assertThat(fx.finish()).isFalse();
    }

    @Test
    void publishedHeadersReplaceHeldOnesOfTheSameNameCaseInsensitively() {
        List<Map.Entry<String, String>> merged = ResponseHold.merge(
                List.of(
                        Map.entry("Content-Type", "text/plain"),
                        Map.entry("X-A", "1"),
                        Map.entry("Set-Cookie", "a"),
                        Map.entry("Set-Cookie", "b")),
                List.of(
                        Map.entry("content-type", "application/json"),
                        Map.entry("Set-Cookie", "c"),
                        Map.entry("Content-Length", "99")));
        assertThat(merged)
                .containsExactly(
                        Map.entry("X-A", "1"),
                        Map.entry("content-type", "application/json"),
                        Map.entry("Set-Cookie", "c"));
    }
}
