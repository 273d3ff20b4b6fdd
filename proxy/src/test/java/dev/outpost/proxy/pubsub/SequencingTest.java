package dev.outpost.proxy.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import dev.outpost.proxy.support.LeakGuard;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The hub's sequencing, de-dup, last IDs and updates, without sockets. */
@ExtendWith(LeakGuard.class)
class SequencingTest {
    final Drops drops = new Drops(new SimpleMeterRegistry());
    LocalChannelHub hub;

    @AfterEach
    void close() {
        hub.close();
    }

    static final class Recorder implements Subscriber {
        final List<String> got = new CopyOnWriteArrayList<>();
        final AtomicInteger updates = new AtomicInteger();

        @Override
        public DeliveryFormat format() {
            return DeliveryFormat.HTTP_STREAM;
        }

        @Override
        public EventExecutor executor() {
            return ImmediateEventExecutor.INSTANCE;
        }

        @Override
        public void deliver(Delivery d) {
            got.add(d.payload().toString(StandardCharsets.UTF_8));
        }

        @Override
        public void update() {
            updates.incrementAndGet();
        }
    }

    private static PublishItem item(String id, String prevId, String content) {
        return new PublishItem(
                "c",
                id,
                prevId,
                Map.of(),
                null,
                new HttpStreamFormat(PublishAction.SEND, content.getBytes(StandardCharsets.UTF_8), List.of()),
                null,
                false);
    }

    private LocalChannelHub hub(int waitMs, int ttl) {
        hub = new LocalChannelHub(new LocalChannelHub.Settings(waitMs, ttl, -1, -1, false, 1000), drops);
        return hub;
    }

    @Test
    void atMostOneHundredItemsWaitPerChannelAndDuplicatesOfAPrevIdAreDropped() {
        hub(60_000, 0);
        Recorder r = new Recorder();
        hub.subscribe("c", r);
        hub.publish(List.of(item("0", null, "0")));
        hub.publish(List.of(item("x", "a", "x"), item("y", "a", "y")));
        assertThat(hub.parkedCount("c")).isEqualTo(1);
        assertThat(drops.count("sequence_duplicate")).isEqualTo(1);
        for (int i = 1; i < 100; i++) {
            hub.publish(List.of(item("p" + i, "q" + i, "p" + i)));
        }
        assertThat(hub.parkedCount("c")).isEqualTo(100);
        hub.publish(List.of(item("over", "nope", "over")));
        assertThat(drops.count("sequence_buffer")).isEqualTo(1);
        assertThat(r.got).containsExactly("0");
    }

    @Test
    void anItemWithoutIdClearsTheLastIdAndTheLastSubscriberForgetsIt() {
        hub(60_000, 0);
        Recorder r = new Recorder();
        Subscription s = hub.subscribe("c", r);
        hub.publish(List.of(item("1", null, "1")));
        assertThat(hub.lastId("c")).isEqualTo("1");
        hub.publish(List.of(item(null, null, "n")));
        assertThat(hub.lastId("c")).isNull();
        // no last ID: an item with any prev-id goes out at once
        hub.publish(List.of(item("3", "2", "3")));
        assertThat(r.got).containsExactly("1", "n", "3");
        s.close();
        assertThat(hub.lastId("c")).isNull();
    }

    @Test
    void noSubscribersNoLastIdAndNoDedupMemory() {
        hub(60_000, 60);
        hub.publish(List.of(item("1", null, "1")));
        Recorder r = new Recorder();
        hub.subscribe("c", r);
        assertThat(hub.lastId("c")).isNull();
        hub.publish(List.of(item("1", null, "1")));
        hub.publish(List.of(item("1", null, "again")));
        assertThat(r.got).containsExactly("1");
    }

    @Test
    void recoverClearsLastIdsAndUpdatesEverySubscriber() {
        hub(60_000, 0);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        hub.subscribe("c", a);
        hub.subscribe("d", b);
        hub.publish(List.of(item("1", null, "1")));
        hub.recover();
        assertThat(hub.lastId("c")).isNull();
        assertThat(a.updates.get()).isEqualTo(1);
        assertThat(b.updates.get()).isEqualTo(1);
    }

    @Test
    void closingTheHubDiscardsParkedItems() {
        hub(60_000, 0);
        hub.subscribe("c", new Recorder());
        hub.publish(List.of(item("1", null, "1"), item("3", "2", "3")));
        assertThat(hub.parkedCount("c")).isEqualTo(1);
        hub.close();
        assertThat(hub.parkedCount("c")).isZero();
    }
}
