package dev.outpost.proxy.hold;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructException;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.origin.OriginClient;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's next and gone links, as Pushpin's HTTP session follows them: a link resolves against the client's URL,
 * then against each link fetched; a fetch that fails or answers other than 2xx is tried again after 1 s·2ⁿ plus up
 * to a second, at most {@value #RETRY_MAX} more times (Pushpin's {@code RETRY_MAX}, {@code RETRY_TIMEOUT}); an
 * answer's GRIP instructions become the {@link NextStep} handed to the stream. Runs on the stream's event loop.
 */
public final class NextLinks implements NextStep.Source {
    private static final Logger log = LoggerFactory.getLogger(NextLinks.class);
    /** Attempts after the first. */
    static final int RETRY_MAX = 5;

    private final EventExecutor executor;
    private final HoldContext hc;
    private final ChannelRules rules;
    private final GoneLink gone;
    /** What links resolve against: the client's URL, then each fetched link. */
    private URI base;

    private OriginClient.Call call;
    private ScheduledFuture<?> retryTimer;
    private boolean cancelled;

    /** No links: a stream that has neither a next nor a gone link never gets one (only a next link's answer could). */
    private static final NextStep.Source NONE = new NextStep.Source() {
        @Override
        public boolean fetch(String link, Map<String, String> gripLast, NextStep.Listener to) {
            return false;
        }

        @Override
        public void cancel() {}

        @Override
        public void clientLeft() {}
    };

    /** The links of the stream {@code handoff} describes, or none (nothing kept for the life of the stream). */
    public static NextStep.Source of(EventExecutor executor, HoldContext hc, HoldHandoff handoff) {
        HoldHandoff.Links l = handoff.links();
        return l.next() == null && l.gone() == null ? NONE : new NextLinks(executor, hc, handoff);
    }

    /** The links of the stream {@code handoff} describes, fetched on {@code executor}. */
    public NextLinks(EventExecutor executor, HoldContext hc, HoldHandoff handoff) {
        this.executor = executor;
        this.hc = hc;
        this.rules = handoff.links().channels();
        this.gone = new GoneLink(hc.links(), handoff.links().gone());
        this.base = handoff.client().linkBase();
    }

    /** {@code link} resolved against {@code base}: an absolute URL with a host, or null. */
    static URI resolve(URI base, String link) {
        if (base == null) {
            return null;
        }
        try {
            URI u = base.resolve(new URI(link.trim()));
            return u.getHost() == null ? null : u;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public boolean fetch(String link, Map<String, String> gripLast, NextStep.Listener to) {
        if (hc.links() == null) {
            return false;
        }
        URI u = resolve(base, link);
        if (u == null) {
            executor.execute(() -> to.nextFailed("next link " + link + " is not a usable URL"));
            return true;
        }
        attempt(u, Map.copyOf(gripLast), to, 0);
        return true;
    }

    private void attempt(URI link, Map<String, String> gripLast, NextStep.Listener to, int attempt) {
        if (cancelled) {
            return;
        }
        log.debug("next link {} (attempt {})", link, attempt + 1);
        try {
            call = hc.links().send(HttpMethod.GET, link, gripLast, new OriginClient.Callback() {
                @Override
                public void response(HttpResponse head, byte[] body) {
                    call = null;
                    if (cancelled) {
                        return;
                    }
                    int code = head.status().code();
                    if (code < 200 || code >= 300) {
                        again("next link answered " + head.status());
                        return;
                    }
                    base = link;
                    answered(head, body, to);
                }

                @Override
                public void failed(String why) {
                    call = null;
                    if (!cancelled) {
                        again(why);
                    }
                }

                private void again(String why) {
                    if (attempt >= RETRY_MAX) {
                        to.nextFailed("Failed to retrieve next link: " + why);
                        return;
                    }
                    long delay =
                            (1000L << attempt) + ThreadLocalRandom.current().nextLong(1000);
                    log.debug("next link {} failed ({}), again in {} ms", link, why, delay);
                    retryTimer = executor.schedule(
                            () -> {
                                retryTimer = null;
                                attempt(link, gripLast, to, attempt + 1);
                            },
                            delay,
                            TimeUnit.MILLISECONDS);
                }
            });
        } catch (IllegalArgumentException e) {
            executor.execute(() -> to.nextFailed("next link " + link + " is not a usable URL"));
        }
    }

    /** A 2xx answer: its instructions replace the stream's, its body (or instruct response's) is appended. */
    private void answered(HttpResponse head, byte[] body, NextStep.Listener to) {
        GripInstruct ins;
        try {
            List<Map.Entry<String, String>> headers =
                    new ArrayList<>(head.headers().size());
            head.headers().forEach(e -> headers.add(Map.entry(e.getKey(), e.getValue())));
            ins = GripInstructParser.parse(head.status().code(), headers, body);
        } catch (GripInstructException | RuntimeException e) {
            to.nextFailed("next link instructions: " + e.getMessage());
            return;
        }
        gone.replace(ins.goneLink());
        byte[] out = ins.response() != null ? ins.response().body() : body;
        to.next(new NextStep(
                ins.hold(),
                rules.apply(ins.channels(), hc.drops(), hc.connectionId()),
                ins.keepAlive(),
                ins.nextLink(),
                ins.meta(),
                out));
    }

    @Override
    public void cancel() {
        cancelled = true;
        if (call != null) {
            call.cancel();
            call = null;
        }
        if (retryTimer != null) {
            retryTimer.cancel(false);
            retryTimer = null;
        }
    }

    @Override
    public void clientLeft() {
        cancel();
        gone.send(base);
    }
}
