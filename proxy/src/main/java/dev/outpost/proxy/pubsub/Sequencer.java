package dev.outpost.proxy.pubsub;

import dev.outpost.grip.publish.PublishItem;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders and de-duplicates the items of each channel before fan-out, as Pushpin's handler does
 * ({@code handler/sequencer.cpp}, {@code handlerengine.cpp}):
 *
 * <ul>
 *   <li>an item whose ID was seen on the channel within {@code id_cache_ttl} is dropped ({@code duplicate_id});
 *   <li>an item whose {@code prev-id} is not the channel's last ID waits up to {@code message_wait} for its
 *       predecessor (at most {@value #PARKED_MAX} per channel, one per {@code prev-id}), then goes out in chain order
 *       or, when its wait ends, alone; {@code no-seq} items skip this;
 *   <li>each item that goes out makes its ID the channel's last ID (an item without one clears it).
 * </ul>
 *
 * <p>A value: no threads and no clock. Every call takes {@code now} (nanoseconds on any monotonic scale) and
 * {@link #nextDeadline()} says when {@link #expire} has work, so that the one who owns the sequencer decides where
 * time comes from (a timer thread, or a bus's own clock so that every node decides alike, ADR 0006). What goes out and
 * what is dropped is told to an {@link Output}. Not thread-safe: its owner guards it.
 */
public final class Sequencer {
    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    /** Items waiting for their predecessor, per channel (Pushpin's {@code PENDING_ITEMS_MAX}). */
    public static final int PARKED_MAX = 100;

    /** Where the sequencer's decisions go, in the order it makes them. */
    public interface Output {
        /**
         * {@code item} goes out now. Returns false when its channel has no subscriber left afterwards (the last one
         * left during the delivery): then nothing is remembered for the channel.
         */
        boolean send(PublishItem item);

        /**
         * {@code item} is dropped for {@code reason} ({@code duplicate_id}, {@code sequence_duplicate},
         * {@code sequence_buffer}); {@code expected} when that is part of normal operation (logged quietly).
         */
        void drop(PublishItem item, String reason, String detail, boolean expected);
    }

    private final long waitNanos;
    private final long idTtlNanos;
    private final Map<String, String> lastIds = new HashMap<>();
    /** channel + NUL + id → expiry, in insertion order so that expired entries sit at the head. */
    private final LinkedHashMap<String, Long> idCache = new LinkedHashMap<>();
    /** Per channel, in arrival order, which is also deadline order (the wait is the same for all). */
    private final Map<String, List<Parked>> parked = new HashMap<>();

    private record Parked(PublishItem item, long deadline) {}

    /**
     * @param waitNanos  {@code message_wait}: how long an item waits for its predecessor; 0 turns ordering off
     * @param idTtlNanos {@code id_cache_ttl}: how long an ID is remembered; 0 turns de-duplication off
     */
    public Sequencer(long waitNanos, long idTtlNanos) {
        this.waitNanos = waitNanos;
        this.idTtlNanos = idTtlNanos;
    }

    /** Takes one published item: drops it, parks it, or sends it (and whatever waited for it). */
    public void offer(PublishItem item, long now, Output out) {
        String channel = item.channel();
        if (item.id() != null && idTtlNanos > 0) {
            expireIds(now);
            String key = channel + '\0' + item.id();
            if (idCache.containsKey(key)) {
                out.drop(item, "duplicate_id", "item " + item.id() + " already published", true);
                return;
            }
            idCache.put(key, now + idTtlNanos);
        }
        if (!item.noSeq() && item.prevId() != null && waitNanos > 0) {
            String last = lastIds.get(channel);
            if (last != null && !last.equals(item.prevId())) {
                park(item, now, out);
                return;
            }
        }
        send(item, out);
    }

    /** Sends every parked item whose wait has ended by {@code now}, each followed by the items it releases. */
    public void expire(long now, Output out) {
        if (parked.isEmpty()) {
            return;
        }
        for (String channel : new ArrayList<>(parked.keySet())) {
            List<Parked> list;
            while ((list = parked.get(channel)) != null && list.get(0).deadline() - now <= 0) {
                Parked p = list.remove(0);
                if (list.isEmpty()) {
                    parked.remove(channel);
                }
                log.debug(
                        "item {} on {} sent without its predecessor {}",
                        p.item().id(),
                        channel,
                        p.item().prevId());
                send(p.item(), out);
            }
        }
    }

    /** When {@link #expire} next has work, or {@link Long#MAX_VALUE} when nothing waits. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        boolean any = false;
        for (List<Parked> list : parked.values()) {
            long d = list.get(0).deadline();
            if (!any || d - next < 0) {
                next = d;
                any = true;
            }
        }
        return next;
    }

    /** The ID of the last item sent on {@code channel}, or null. */
    public String lastId(String channel) {
        return lastIds.get(channel);
    }

    /** Forgets the channel's last ID (a session found it inconsistent with its origin). */
    public void forgetLastId(String channel) {
        lastIds.remove(channel);
    }

    /** Forgets every last ID ({@code recover}). */
    public void forgetLastIds() {
        lastIds.clear();
    }

    /** The channel has no subscribers any more: its last ID and waiting items are let go. */
    public void channelEmptied(String channel) {
        lastIds.remove(channel);
        parked.remove(channel);
    }

    /** The channels with items waiting for a predecessor (a copy). */
    public Set<String> waitingChannels() {
        return Set.copyOf(parked.keySet());
    }

    /** Items waiting for a predecessor on {@code channel}. */
    public int parkedCount(String channel) {
        List<Parked> l = parked.get(channel);
        return l == null ? 0 : l.size();
    }

    /** Drops every waiting item (the owner is closing). */
    public void clear() {
        parked.clear();
    }

    private void expireIds(long now) {
        Iterator<Map.Entry<String, Long>> it = idCache.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() - now > 0) {
                break;
            }
            it.remove();
        }
    }

    private void park(PublishItem item, long now, Output out) {
        List<Parked> list = parked.computeIfAbsent(item.channel(), k -> new ArrayList<>());
        for (Parked p : list) {
            if (p.item().prevId().equals(item.prevId())) {
                out.drop(
                        item,
                        "sequence_duplicate",
                        "item " + item.id() + " waits behind another with prev-id " + item.prevId(),
                        true);
                return;
            }
        }
        if (list.size() >= PARKED_MAX) {
            out.drop(
                    item,
                    "sequence_buffer",
                    "item " + item.id() + ": " + PARKED_MAX + " items already wait for their predecessors",
                    false);
            return;
        }
        list.add(new Parked(item, now + waitNanos));
        log.debug(
                "item {} on {} waits for {} (last id {})",
                item.id(),
                item.channel(),
                item.prevId(),
                lastIds.get(item.channel()));
    }

    /** Sends, moves the last ID on, and sends the items that waited for this one, in chain order. */
    private void send(PublishItem item, Output out) {
        PublishItem next = item;
        while (next != null) {
            String channel = next.channel();
            if (!out.send(next)) {
                channelEmptied(channel);
                return;
            }
            if (next.id() != null) {
                lastIds.put(channel, next.id());
            } else {
                lastIds.remove(channel);
            }
            next = next.id() == null ? null : unpark(channel, next.id());
        }
    }

    private PublishItem unpark(String channel, String id) {
        List<Parked> list = parked.get(channel);
        if (list == null) {
            return null;
        }
        for (Iterator<Parked> it = list.iterator(); it.hasNext(); ) {
            Parked p = it.next();
            if (p.item().prevId().equals(id)) {
                it.remove();
                if (list.isEmpty()) {
                    parked.remove(channel);
                }
                return p.item();
            }
        }
        return null;
    }
}
