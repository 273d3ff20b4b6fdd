package dev.outpost.proxy.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.publish.HttpStreamFormat;
import dev.outpost.grip.publish.PublishAction;
import dev.outpost.grip.publish.PublishItem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The sequencer as a value: items in, decisions out, time given by the test. No threads, no clock. */
class SequencerTest {
    static final long WAIT = TimeUnit.SECONDS.toNanos(5);
    static final long TTL = TimeUnit.SECONDS.toNanos(60);

    /** Records what the sequencer decided, in order; channels in {@link #gone} have lost their subscribers. */
    static final class Recorder implements Sequencer.Output {
        final List<String> sent = new ArrayList<>();
        final List<String> dropped = new ArrayList<>();
        final Set<String> gone = new HashSet<>();

        @Override
        public boolean send(PublishItem item) {
            sent.add(item.channel() + ":" + item.id());
            return !gone.contains(item.channel());
        }

        @Override
        public void drop(PublishItem item, String reason, String detail, boolean expected) {
            dropped.add(reason + ":" + item.id() + (expected ? "" : "!"));
        }
    }

    final Recorder out = new Recorder();

    private static PublishItem item(String channel, String id, String prevId) {
        return item(channel, id, prevId, false);
    }

    private static PublishItem item(String channel, String id, String prevId, boolean noSeq) {
        return new PublishItem(
                channel,
                id,
                prevId,
                Map.of(),
                null,
                new HttpStreamFormat(PublishAction.SEND, "x".getBytes(StandardCharsets.UTF_8), List.of()),
                null,
                noSeq);
    }

    @Test
    void itemsInOrderGoOutAtOnceAndMoveTheLastIdOn() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "2", "1"), 0, out);
        assertThat(out.sent).containsExactly("c:1", "c:2");
        assertThat(s.lastId("c")).isEqualTo("2");
        assertThat(s.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anItemAheadOfItsPredecessorWaitsAndGoesOutInChainOrder() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "4", "3"), 10, out);
        s.offer(item("c", "3", "2"), 20, out);
        assertThat(out.sent).containsExactly("c:1");
        assertThat(s.parkedCount("c")).isEqualTo(2);
        assertThat(s.nextDeadline()).isEqualTo(10 + WAIT);

        s.offer(item("c", "2", "1"), 30, out);
        assertThat(out.sent).containsExactly("c:1", "c:2", "c:3", "c:4");
        assertThat(s.parkedCount("c")).isZero();
        assertThat(s.lastId("c")).isEqualTo("4");
    }

    @Test
    void aWaitThatEndsSendsTheItemAloneAndWhatFollowsIt() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "3", "2"), 100, out);
        s.offer(item("c", "4", "3"), 200, out);
        s.expire(100 + WAIT - 1, out);
        assertThat(out.sent).containsExactly("c:1");

        s.expire(100 + WAIT, out);
        assertThat(out.sent).containsExactly("c:1", "c:3", "c:4");
        assertThat(s.lastId("c")).isEqualTo("4");
        assertThat(s.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void waitsEndPerChannelInTheirOwnOrder() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("a", "1", null), 0, out);
        s.offer(item("b", "1", null), 0, out);
        s.offer(item("b", "3", "2"), 50, out);
        s.offer(item("a", "3", "2"), 100, out);
        assertThat(s.nextDeadline()).isEqualTo(50 + WAIT);
        s.expire(50 + WAIT, out);
        assertThat(out.sent).containsExactly("a:1", "b:1", "b:3");
        assertThat(s.nextDeadline()).isEqualTo(100 + WAIT);
    }

    @Test
    void anIdSeenWithinTheTtlIsDroppedAndAcceptedAgainAfterIt() {
        Sequencer s = new Sequencer(WAIT, TTL);
        s.offer(item("c", "a", null), 0, out);
        s.offer(item("c", "a", null), TTL - 1, out);
        // the same ID on another channel is another item
        s.offer(item("d", "a", null), 1, out);
        s.offer(item("c", "a", null), TTL, out);
        assertThat(out.sent).containsExactly("c:a", "d:a", "c:a");
        assertThat(out.dropped).containsExactly("duplicate_id:a");
    }

    @Test
    void withoutATtlNothingIsDeDuplicated() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "a", null), 0, out);
        s.offer(item("c", "a", null), 0, out);
        assertThat(out.sent).containsExactly("c:a", "c:a");
    }

    @Test
    void oneItemWaitsPerPrevIdAndAtMostAHundredPerChannel() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "0", null), 0, out);
        s.offer(item("c", "x", "a"), 0, out);
        s.offer(item("c", "y", "a"), 0, out);
        for (int i = 1; i < Sequencer.PARKED_MAX; i++) {
            s.offer(item("c", "p" + i, "q" + i), 0, out);
        }
        assertThat(s.parkedCount("c")).isEqualTo(Sequencer.PARKED_MAX);
        s.offer(item("c", "over", "nope"), 0, out);
        assertThat(out.dropped).containsExactly("sequence_duplicate:y", "sequence_buffer:over!");
        assertThat(out.sent).containsExactly("c:0");
    }

    @Test
    void noSeqItemsAndItemsWithoutAKnownLastIdSkipOrdering() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "3", "2"), 0, out);
        s.offer(item("c", "9", "8", true), 0, out);
        assertThat(out.sent).containsExactly("c:3", "c:9");
        assertThat(s.parkedCount("c")).isZero();
    }

    @Test
    void withoutAWaitNothingIsOrdered() {
        Sequencer s = new Sequencer(0, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "3", "2"), 0, out);
        assertThat(out.sent).containsExactly("c:1", "c:3");
    }

    @Test
    void anItemWithoutIdClearsTheLastId() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", null, null), 0, out);
        assertThat(s.lastId("c")).isNull();
        s.offer(item("c", "3", "2"), 0, out);
        assertThat(out.sent).containsExactly("c:1", "c:null", "c:3");
    }

    @Test
    void aChannelThatLostItsSubscribersKeepsNothing() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "3", "2"), 0, out);
        s.channelEmptied("c");
        assertThat(s.lastId("c")).isNull();
        assertThat(s.parkedCount("c")).isZero();
        assertThat(s.nextDeadline()).isEqualTo(Long.MAX_VALUE);

        // the last subscriber leaves while an item is delivered: its ID is not remembered
        out.gone.add("d");
        s.offer(item("d", "1", null), 0, out);
        assertThat(s.lastId("d")).isNull();
    }

    @Test
    void forgettingLastIdsLetsTheNextItemThrough() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("d", "1", null), 0, out);
        s.forgetLastId("c");
        assertThat(s.lastId("c")).isNull();
        assertThat(s.lastId("d")).isEqualTo("1");
        s.forgetLastIds();
        assertThat(s.lastId("d")).isNull();
        s.offer(item("d", "5", "4"), 0, out);
        assertThat(out.sent).endsWith("d:5");
    }

    @Test
    void clearingDropsWhatWaits() {
        Sequencer s = new Sequencer(WAIT, 0);
        s.offer(item("c", "1", null), 0, out);
        s.offer(item("c", "3", "2"), 0, out);
        s.clear();
        s.expire(Long.MAX_VALUE / 2, out);
        assertThat(out.sent).containsExactly("c:1");
    }
}
