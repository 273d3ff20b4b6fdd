package dev.outpost.proxy.hold;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.NextLink;
import dev.outpost.origin.OriginClient;
import dev.outpost.proxy.support.LeakGuard;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The hold side's next and gone links on an in-memory loop with a stopped clock: resolution against the client's URL
 * and each fetched link, Pushpin's backoff, the answer's instructions as a {@link NextStep}, the gone link when the
 * client leaves. The requests go to a recording {@link LinkSender} that the test answers.
 */
@ExtendWith(LeakGuard.class)
class NextLinksTest {
    private final HoldFixture fx = new HoldFixture();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Object> answers = new ArrayList<>();

    private record Sent(HttpMethod method, URI link, Map<String, String> gripLast, OriginClient.Callback cb) {}

    private final LinkSender sender = (method, link, gripLast, cb) -> {
        sent.add(new Sent(method, link, Map.copyOf(gripLast), cb));
        return null;
    };

    private final NextStep.Listener listener = new NextStep.Listener() {
        @Override
        public void next(NextStep step) {
            answers.add(step);
        }

        @Override
        public void nextFailed(String why) {
            answers.add(why);
        }
    };

    @AfterEach
    void close() {
        fx.close();
    }

    private NextLinks links(String gone, ChannelRules rules) {
        HoldContext hc = new HoldContext(fx.hub, fx.owner.drops, fx.owner.observer, "test-conn", 100, sender);
        HoldHandoff handoff = new HoldHandoff(
                new HoldHandoff.Client(HttpVersion.HTTP_1_1, true, false, URI.create("http://client.test/a/b?x=1")),
                new HeldResponse(200, "OK", List.of(), new byte[0]),
                new HoldHandoff.Instruction(List.of(), Map.of(), 0, null, false),
                new HoldHandoff.Links(new NextLink("/n1", 0), gone, rules),
                false);
        return new NextLinks(fx.ch.eventLoop(), hc, handoff);
    }

    private static HttpResponse head(int code, String... headers) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLinkResolvesAgainstTheClientsUrlThenAgainstEachLinkFetched() {
        NextLinks links = links(null, new ChannelRules("p-", List.of("extra"), 0));
        assertThat(links.fetch("next?page=2", Map.of("c", "7"), listener)).isTrue();
        assertThat(sent).singleElement().satisfies(s -> {
            assertThat(s.method()).isEqualTo(HttpMethod.GET);
            assertThat(s.link()).hasToString("http://client.test/a/next?page=2");
            assertThat(s.gripLast()).containsExactly(Map.entry("c", "7"));
        });
        sent.get(0)
                .cb()
                .response(
                        head(200, "Grip-Hold", "stream", "Grip-Channel", "c", "Grip-Link", "</n3>; rel=next"),
                        bytes("page2"));
        assertThat(answers).singleElement().isInstanceOfSatisfying(NextStep.class, step -> {
            assertThat(step.hold()).isEqualTo(HoldMode.STREAM);
            assertThat(ChannelRules.names(step.channels())).containsExactly("p-c", "p-extra");
            assertThat(step.nextLink().uri()).isEqualTo("/n3");
            assertThat(new String(step.body(), StandardCharsets.UTF_8)).isEqualTo("page2");
        });
        links.fetch("n4", Map.of(), listener);
        assertThat(sent.get(1).link()).hasToString("http://client.test/a/n4");
    }

    @Test
    void aFailedFetchIsTriedAgainWithBackoffThenGivenUp() {
        NextLinks links = links(null, ChannelRules.NONE);
        links.fetch("http://o.test/next", Map.of(), listener);
        for (int attempt = 0; attempt <= NextLinks.RETRY_MAX; attempt++) {
            assertThat(sent).hasSize(attempt + 1);
            if (attempt % 2 == 0) {
                sent.get(attempt).cb().failed("refused");
            } else {
                sent.get(attempt).cb().response(head(503), new byte[0]);
            }
            if (attempt < NextLinks.RETRY_MAX) {
                // 1 s·2ⁿ plus up to a second: not yet at 1 s·2ⁿ, surely by 1 s·2ⁿ + 1 s
                fx.advance((1000L << attempt) - 1, TimeUnit.MILLISECONDS);
                assertThat(sent).hasSize(attempt + 1);
                fx.advance(1001, TimeUnit.MILLISECONDS);
            }
        }
        assertThat(answers).containsExactly("Failed to retrieve next link: next link answered 503 Service Unavailable");
    }

    @Test
    void aCancelledFetchIsNotTriedAgainAndItsLateAnswerIsIgnored() {
        NextLinks links = links(null, ChannelRules.NONE);
        links.fetch("/next", Map.of(), listener);
        sent.get(0).cb().failed("refused");
        links.cancel();
        fx.advance(10, TimeUnit.SECONDS);
        assertThat(sent).hasSize(1);
        links.fetch("/again", Map.of(), listener);
        assertThat(sent).hasSize(1);
        assertThat(answers).isEmpty();
    }

    @Test
    void aLinkThatIsNoUrlFailsTheFetchOnTheNextTurn() {
        NextLinks links = links(null, ChannelRules.NONE);
        assertThat(links.fetch("http://[bad", Map.of(), listener)).isTrue();
        assertThat(answers).isEmpty();
        fx.ch.runPendingTasks();
        assertThat(answers).containsExactly("next link http://[bad is not a usable URL");
        assertThat(sent).isEmpty();
    }

    @Test
    void theGoneLinkIsPostedOnceWhenTheClientLeavesAndANextLinksInstructionsReplaceIt() {
        NextLinks links = links("/gone1", ChannelRules.NONE);
        links.fetch("http://o.test/x/next", Map.of(), listener);
        sent.get(0)
                .cb()
                .response(
                        head(200, "Grip-Hold", "stream", "Grip-Channel", "c", "Grip-Link", "<g2>; rel=gone"),
                        bytes(""));
        links.clientLeft();
        links.clientLeft();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).method()).isEqualTo(HttpMethod.POST);
        assertThat(sent.get(1).link()).hasToString("http://o.test/x/g2");
    }

    @Test
    void withoutALinkSenderLinksCannotBeFollowedAndNothingIsPosted() {
        HoldContext hc = fx.context();
        NextLinks links = new NextLinks(
                fx.ch.eventLoop(),
                hc,
                new HoldHandoff(
                        new HoldHandoff.Client(HttpVersion.HTTP_1_1, true, false, URI.create("http://c.test/")),
                        new HeldResponse(200, "OK", List.of(), new byte[0]),
                        new HoldHandoff.Instruction(List.of(), Map.of(), 0, null, false),
                        new HoldHandoff.Links(null, "/gone", ChannelRules.NONE),
                        false));
        assertThat(links.fetch("/next", Map.of(), listener)).isFalse();
        links.clientLeft();
        assertThat(answers).isEmpty();
    }
}
