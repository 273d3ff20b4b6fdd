package dev.outpost.proxy.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.support.LeakGuard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakGuard.class)
class LocalChannelHubTest {

    static final class Recorder implements Subscriber {
        final List<ByteBuf> got = new ArrayList<>();
        final DeliveryFormat format;

        Recorder(DeliveryFormat format) {
            this.format = format;
        }

        @Override
        public DeliveryFormat format() {
            return format;
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void deliver(Delivery d) {
            got.add(d.payload().retainedDuplicate());
        }
    }

    private static PublishItem stream(String channel, String content) {
        return new PublishItem(
                channel,
                null,
                null,
                Map.of(),
                null,
                new HttpStreamFormat(PublishAction.SEND, content.getBytes(StandardCharsets.UTF_8), List.of()),
                null,
                false);
    }

    @Test
    void subscribersOfOneLoopShareOnePayload() {
        LocalChannelHub hub = new LocalChannelHub();
        Recorder a = new Recorder(DeliveryFormat.HTTP_STREAM);
        Recorder b = new Recorder(DeliveryFormat.HTTP_STREAM);
        hub.subscribe("c", a);
        hub.subscribe("c", b);
        hub.publish(List.of(stream("c", "hello")));
        assertThat(a.got).hasSize(1);
        assertThat(b.got).hasSize(1);
        assertThat(a.got.get(0).toString(StandardCharsets.UTF_8)).isEqualTo("hello");
        // one buffer in memory for both: the item's own bytes, wrapped
        assertThat(a.got.get(0).array()).isSameAs(b.got.get(0).array());
        assertThat(a.got.get(0).release()).isFalse();
        assertThat(b.got.get(0).release()).isTrue();
    }

    /** Takes the loop's framed form of each delivery, as stream holds do. */
    static final class DerivingRecorder implements Subscriber {
        final EventExecutor loop;
        final List<ByteBuf> got = Collections.synchronizedList(new ArrayList<>());

        DerivingRecorder(EventExecutor loop) {
            this.loop = loop;
        }

        @Override
        public DeliveryFormat format() {
            return DeliveryFormat.HTTP_STREAM;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public void deliver(Delivery d) {
            got.add(d.derived(COPY).retainedDuplicate());
        }
    }

    static final AtomicInteger derivations = new AtomicInteger();
    static final Delivery.Derivation COPY = p -> {
        derivations.incrementAndGet();
        return Unpooled.copiedBuffer(p);
    };

    @Test
    void aDerivedFormIsMadeOncePerLoopAndEachLoopHasItsOwn() throws Exception {
        DefaultEventExecutor one = new DefaultEventExecutor();
        DefaultEventExecutor two = new DefaultEventExecutor();
        try {
            LocalChannelHub hub = new LocalChannelHub();
            DerivingRecorder a = new DerivingRecorder(one);
            DerivingRecorder b = new DerivingRecorder(one);
            DerivingRecorder c = new DerivingRecorder(two);
            hub.subscribe("c", a);
            hub.subscribe("c", b);
            hub.subscribe("c", c);
            derivations.set(0);
            hub.publish(List.of(stream("c", "hello")));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.got.size() + b.got.size() + c.got.size() == 3);
            assertThat(derivations.get()).isEqualTo(2);
            assertThat(a.got.get(0).unwrap()).isSameAs(b.got.get(0).unwrap());
            assertThat(c.got.get(0).unwrap()).isNotSameAs(a.got.get(0).unwrap());
            assertThat(c.got.get(0).toString(StandardCharsets.UTF_8)).isEqualTo("hello");
            // each loop's batch let go of its own reference: the subscribers hold the last ones
            assertThat(a.got.get(0).release()).isFalse();
            assertThat(b.got.get(0).release()).isTrue();
            assertThat(c.got.get(0).release()).isTrue();
        } finally {
            one.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            two.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void itemsWithoutTheSubscribersFormatAreNotDelivered() {
        LocalChannelHub hub = new LocalChannelHub();
        Recorder r = new Recorder(DeliveryFormat.HTTP_RESPONSE);
        hub.subscribe("c", r);
        hub.publish(List.of(stream("c", "x")));
        assertThat(r.got).isEmpty();
    }

    @Test
    void closingTheSubscriptionUnsubscribesAtOnce() {
        LocalChannelHub hub = new LocalChannelHub();
        Recorder r = new Recorder(DeliveryFormat.HTTP_STREAM);
        Subscription s = hub.subscribe("c", r);
        assertThat(hub.subscriberCount("c")).isEqualTo(1);
        s.close();
        s.close();
        assertThat(hub.subscriberCount("c")).isZero();
        assertThat(hub.channels()).isEmpty();
        hub.publish(List.of(stream("c", "x")));
        assertThat(r.got).isEmpty();
    }

    @Test
    void otherChannelsAreUntouched() {
        LocalChannelHub hub = new LocalChannelHub();
        Recorder r = new Recorder(DeliveryFormat.HTTP_STREAM);
        hub.subscribe("a", r);
        hub.publish(List.of(stream("b", "x")));
        assertThat(r.got).isEmpty();
    }

    /** Delivers on a given loop and records what it got, as text, in arrival order. */
    static final class LoopRecorder implements Subscriber {
        final EventExecutor loop;
        final List<String> got = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done;

        LoopRecorder(EventExecutor loop, CountDownLatch done) {
            this.loop = loop;
            this.done = done;
        }

        @Override
        public DeliveryFormat format() {
            return DeliveryFormat.HTTP_STREAM;
        }

        @Override
        public EventExecutor executor() {
            return loop;
        }

        @Override
        public void deliver(Delivery d) {
            assertThat(loop.inEventLoop()).isTrue();
            got.add(d.payload().toString(StandardCharsets.UTF_8));
            done.countDown();
        }
    }

    @Test
    void subscribersOnSeveralLoopsGetEveryItemInOrderOnTheirOwnLoop() throws Exception {
        DefaultEventExecutorGroup loops = new DefaultEventExecutorGroup(2);
        DefaultEventExecutor gone = new DefaultEventExecutor();
        gone.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
        try {
            LocalChannelHub hub = new LocalChannelHub();
            int subs = 50;
            int items = 20;
            CountDownLatch done = new CountDownLatch(subs * items);
            List<LoopRecorder> recorders = new ArrayList<>();
            for (int i = 0; i < subs; i++) {
                LoopRecorder r = new LoopRecorder(loops.next(), done);
                recorders.add(r);
                hub.subscribe("c", r);
            }
            // a subscriber whose loop is gone and one that left: their payloads are released, the others unaffected
            hub.subscribe("c", new LoopRecorder(gone, new CountDownLatch(0)));
            LoopRecorder left = new LoopRecorder(loops.next(), new CountDownLatch(0));
            hub.subscribe("c", left).close();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < items; i++) {
                expected.add("m" + i);
                hub.publish(List.of(stream("c", "m" + i)));
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            for (LoopRecorder r : recorders) {
                assertThat(r.got).containsExactlyElementsOf(expected);
            }
            assertThat(left.got).isEmpty();
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
