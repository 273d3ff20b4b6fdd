package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.HeaderList;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The objects of one app's cache, bounded in bytes, least recently used keys evicted first. Per key: the vary rules
 * seen (most recent first) and a slot per variant, holding the current object, the outstanding obligation, or a
 * hit-for-pass mark. Transactional lookups collapse: while one client holds the obligation for a variant, others wait
 * (their futures complete when it ends) or, when a usable stale object exists, get it at once.
 *
 * <p>Thread-safe (one lock). Futures are completed outside the lock.
 */
public final class CacheStore {
    /** Default size cap: 64 MiB of bodies and metadata. */
    public static final long DEFAULT_CAPACITY = 64L << 20;

    private final long capacity;
    private final LongSupplier clock;
    private final LinkedHashMap<CacheKey, KeyEntry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private long evicted;

    public CacheStore(long capacity) {
        this(capacity, System::nanoTime);
    }

    /** With {@code clock} (nanoseconds, monotonic) for ages: tests pass a fake one. */
    public CacheStore(long capacity, LongSupplier clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity: " + capacity + " bytes (expected: at least 1)");
        }
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Per key: vary rules, variants, waiting lookups. Guarded by the store's lock. */
    static final class KeyEntry {
        final CacheKey key;
        final ArrayDeque<VaryRule> rules = new ArrayDeque<>();
        final Map<VaryRule.Variant, Slot> slots = new HashMap<>();
        final List<Waiter> waiters = new ArrayList<>();

        KeyEntry(CacheKey key) {
            this.key = key;
        }

        boolean idle() {
            return slots.isEmpty() && waiters.isEmpty();
        }
    }

    /** One variant's state. */
    private static final class Slot {
        CachedObject present;
        Obligation obligation;
        long passUntil;
        boolean passing;

        boolean empty() {
            return present == null && obligation == null && !passing;
        }
    }

    /** A lookup waiting for an obligation to end; {@code replace} marks a replace that waits its turn. */
    private record Waiter(HeaderList headers, CompletableFuture<Lookup> future, boolean replace) {}

    /** How a replace coordinates with other writers of its object (the ABI's {@code cache_replace_strategy}). */
    public enum ReplaceStrategy {
        /** Leave the existing object findable; the replacement is a last-writer-wins insert. */
        IMMEDIATE,
        /** As {@link #IMMEDIATE}, but the existing object stops being findable at once and lookups wait for the
         * replacement. */
        IMMEDIATE_FORCE_MISS,
        /** Wait for a write in progress, then hold others back until the replacement is in (or abandoned). */
        WAIT
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes held: bodies written so far plus metadata. */
    public synchronized long usedBytes() {
        return used;
    }

    /** Objects held (all keys, all variants). */
    public synchronized int objects() {
        int n = 0;
        for (KeyEntry e : entries.values()) {
            for (Slot s : e.slots.values()) {
                n += s.present != null ? 1 : 0;
            }
        }
        return n;
    }

    /** Objects evicted to stay under the size cap since the start. */
    public synchronized long evictions() {
        return evicted;
    }

    /** A non-collapsing lookup: the usable object for these request headers, if any. */
    public Lookup lookup(CacheKey key, HeaderList requestHeaders) {
        synchronized (this) {
            KeyEntry entry = entries.get(key);
            if (entry == null) {
                return Lookup.MISS;
            }
            for (VaryRule rule : entry.rules) {
                Slot slot = entry.slots.get(rule.variant(requestHeaders));
                if (slot != null && slot.present != null && slot.present.usable()) {
                    slot.present.hit();
                    return new Lookup(slot.present, null, null);
                }
            }
            return Lookup.MISS;
        }
    }

    /**
     * A collapsing lookup. Completes at once with a usable object, an obligation, or both (a stale object to
     * revalidate); or, while another client holds the obligation and nothing usable is there, when that obligation
     * ends. Cancelling the future withdraws from the wait.
     */
    public CompletableFuture<Lookup> transactionLookup(CacheKey key, HeaderList requestHeaders) {
        synchronized (this) {
            KeyEntry entry = entries.computeIfAbsent(key, KeyEntry::new);
            Lookup now = attempt(entry, requestHeaders);
            if (now != null) {
                return CompletableFuture.completedFuture(now);
            }
            Waiter waiter = new Waiter(requestHeaders.copy(), new CompletableFuture<>(), false);
            entry.waiters.add(waiter);
            return waiter.future();
        }
    }

    /** The lookup rules of a transaction (see the class comment); null: wait. Under the lock. */
    private Lookup attempt(KeyEntry entry, HeaderList headers) {
        List<VaryRule.Variant> variants = new ArrayList<>();
        for (VaryRule rule : entry.rules) {
            VaryRule.Variant v = rule.variant(headers);
            if (!variants.contains(v)) {
                variants.add(v);
            }
        }
        List<Map.Entry<VaryRule.Variant, Slot>> slots = new ArrayList<>();
        for (VaryRule.Variant v : variants) {
            Slot s = entry.slots.get(v);
            if (s != null) {
                slots.add(new SimpleEntry<>(v, s));
            }
        }
        long now = clock.getAsLong();
        for (var e : slots) {
            Slot s = e.getValue();
            if (s.present != null && s.present.fresh()) {
                s.present.hit();
                return new Lookup(s.present, null, null);
            }
        }
        for (var e : slots) {
            Slot s = e.getValue();
            if (s.present != null && s.present.usable() && s.obligation != null) {
                // Stale, and someone is already revalidating it: use it meanwhile.
                s.present.hit();
                return new Lookup(s.present, null, null);
            }
        }
        for (var e : slots) {
            Slot s = e.getValue();
            if (s.passing && now - s.passUntil < 0) {
                return Lookup.MISS;
            }
        }
        for (var e : slots) {
            Slot s = e.getValue();
            if (s.present != null && s.present.usable() && s.obligation == null) {
                s.obligation = new Obligation(this, entry, e.getKey(), headers, s.present);
                s.present.hit();
                return new Lookup(s.present, s.obligation, null);
            }
        }
        for (var e : slots) {
            if (e.getValue().obligation != null) {
                return null;
            }
        }
        VaryRule.Variant target;
        if (variants.isEmpty()) {
            entry.rules.addFirst(VaryRule.NONE);
            target = VaryRule.NONE.variant(headers);
        } else {
            target = variants.getFirst();
        }
        Slot slot = entry.slots.computeIfAbsent(target, v -> new Slot());
        slot.passing = false;
        CachedObject stale = slot.present;
        slot.obligation = new Obligation(this, entry, target, headers, stale);
        return new Lookup(null, slot.obligation, stale != null && stale.usableIfError() ? stale : null);
    }

    /**
     * Starts a replace: completes with the existing usable object (or null) as {@code found} and, unless the strategy
     * is {@link ReplaceStrategy#IMMEDIATE}, the obligation the replacement fulfils. With {@link ReplaceStrategy#WAIT}
     * it completes once no other write of the variant is in progress.
     */
    public CompletableFuture<Lookup> replace(CacheKey key, HeaderList requestHeaders, ReplaceStrategy strategy) {
        synchronized (this) {
            KeyEntry entry = entries.computeIfAbsent(key, KeyEntry::new);
            Lookup now = switch (strategy) {
                case IMMEDIATE -> new Lookup(existing(entry, requestHeaders), null, null);
                case IMMEDIATE_FORCE_MISS -> forceMiss(entry, requestHeaders);
                case WAIT -> attemptReplace(entry, requestHeaders);
            };
            if (now != null) {
                if (entry.idle()) {
                    entries.remove(key, entry);
                }
                return CompletableFuture.completedFuture(now);
            }
            Waiter waiter = new Waiter(requestHeaders.copy(), new CompletableFuture<>(), true);
            entry.waiters.add(waiter);
            return waiter.future();
        }
    }

    /** The usable object these headers select, if any. Under the lock. */
    private CachedObject existing(KeyEntry entry, HeaderList headers) {
        for (VaryRule rule : entry.rules) {
            Slot slot = entry.slots.get(rule.variant(headers));
            if (slot != null && slot.present != null && slot.present.usable()) {
                return slot.present;
            }
        }
        return null;
    }

    /** The variant a write for these headers goes to: the existing object's, else the most recent rule's. */
    private VaryRule.Variant target(KeyEntry entry, HeaderList headers) {
        for (VaryRule rule : entry.rules) {
            VaryRule.Variant v = rule.variant(headers);
            Slot slot = entry.slots.get(v);
            if (slot != null && (slot.present != null || slot.obligation != null)) {
                return v;
            }
        }
        if (entry.rules.isEmpty()) {
            entry.rules.addFirst(VaryRule.NONE);
        }
        return entry.rules.getFirst().variant(headers);
    }

    /** Takes the existing object out of sight and, unless another write is in progress, the obligation. */
    private Lookup forceMiss(KeyEntry entry, HeaderList headers) {
        CachedObject existing = existing(entry, headers);
        VaryRule.Variant v = target(entry, headers);
        Slot slot = entry.slots.computeIfAbsent(v, x -> new Slot());
        if (slot.present != null) {
            unstore(slot.present);
            slot.present = null;
        }
        slot.passing = false;
        if (slot.obligation != null) {
            return new Lookup(existing, null, null);
        }
        slot.obligation = new Obligation(this, entry, v, headers, existing);
        return new Lookup(existing, slot.obligation, null);
    }

    /** A waiting replace: the obligation once no write is in progress; null: wait. Under the lock. */
    private Lookup attemptReplace(KeyEntry entry, HeaderList headers) {
        VaryRule.Variant v = target(entry, headers);
        Slot slot = entry.slots.computeIfAbsent(v, x -> new Slot());
        if (slot.obligation != null) {
            return null;
        }
        slot.passing = false;
        CachedObject existing = existing(entry, headers);
        slot.obligation = new Obligation(this, entry, v, headers, existing);
        return new Lookup(existing, slot.obligation, null);
    }

    /** A non-transactional insert (last writer wins); it also ends waits it satisfies. */
    public CachedObject insert(CacheKey key, HeaderList requestHeaders, CacheWrite write, CollectedBody body) {
        KeyEntry entry;
        CachedObject object;
        synchronized (this) {
            entry = entries.computeIfAbsent(key, KeyEntry::new);
            object = put(entry, requestHeaders, write, body);
        }
        wake(entry);
        return object;
    }

    CachedObject fulfil(Obligation obligation, CacheWrite write, CollectedBody body) {
        KeyEntry entry = obligation.entry();
        CachedObject object;
        synchronized (this) {
            if (!obligation.finish()) {
                throw new IllegalStateException("the obligation was already fulfilled or abandoned");
            }
            clear(obligation);
            object = put(entry, obligation.requestHeaders(), write, body);
        }
        wake(entry);
        return object;
    }

    void pass(Obligation obligation, long maxAgeNs) {
        KeyEntry entry = obligation.entry();
        synchronized (this) {
            if (!obligation.finish()) {
                throw new IllegalStateException("the obligation was already fulfilled or abandoned");
            }
            Slot slot = entry.slots.computeIfAbsent(obligation.variant(), v -> new Slot());
            if (slot.obligation == obligation) {
                slot.obligation = null;
            }
            slot.passing = true;
            slot.passUntil = clock.getAsLong() + maxAgeNs;
            entries.putIfAbsent(entry.key, entry);
        }
        wake(entry);
    }

    void release(Obligation obligation) {
        KeyEntry entry = obligation.entry();
        synchronized (this) {
            if (!obligation.finish()) {
                return;
            }
            clear(obligation);
        }
        wake(entry);
    }

    /** Drops the obligation mark of its slot (and the slot when nothing else is left). Under the lock. */
    private void clear(Obligation obligation) {
        KeyEntry entry = obligation.entry();
        Slot slot = entry.slots.get(obligation.variant());
        if (slot != null && slot.obligation == obligation) {
            slot.obligation = null;
            if (slot.empty()) {
                entry.slots.remove(obligation.variant());
            }
        }
        if (entry.idle()) {
            entries.remove(entry.key, entry);
        }
    }

    /** Stores an object in the variant its request headers select. Under the lock. */
    private CachedObject put(KeyEntry entry, HeaderList requestHeaders, CacheWrite write, CollectedBody body) {
        entries.putIfAbsent(entry.key, entry);
        VaryRule rule = write.varyRule();
        entry.rules.remove(rule);
        entry.rules.addFirst(rule);
        VaryRule.Variant variant = rule.variant(requestHeaders);
        Slot slot = entry.slots.computeIfAbsent(variant, v -> new Slot());
        if (slot.present != null) {
            unstore(slot.present);
        }
        CachedObject object = new CachedObject(write, requestHeaders, body, clock);
        slot.present = object;
        slot.passing = false;
        object.stored = true;
        object.charged = write.footprint() + body.size();
        used += object.charged;
        body.onGrow(n -> grew(object, n));
        body.onAbandon(() -> remove(entry, object));
        if (body.abandoned()) {
            unstore(object);
            slot.present = null;
        }
        evict();
        return object;
    }

    private synchronized void grew(CachedObject object, long bytes) {
        if (object.stored) {
            object.charged += bytes;
            used += bytes;
            evict();
        }
    }

    /** An object whose writer gave up leaves the cache (readers already streaming keep their truncated copy). */
    private synchronized void remove(KeyEntry entry, CachedObject object) {
        for (Iterator<Slot> it = entry.slots.values().iterator(); it.hasNext(); ) {
            Slot slot = it.next();
            if (slot.present == object) {
                unstore(object);
                slot.present = null;
                if (slot.empty()) {
                    it.remove();
                }
            }
        }
        if (entry.idle()) {
            entries.remove(entry.key, entry);
        }
    }

    private void unstore(CachedObject object) {
        if (object.stored) {
            object.stored = false;
            used -= object.charged;
        }
    }

    /** Drops the objects of the least recently used keys until the store fits its cap. Under the lock. */
    private void evict() {
        Iterator<KeyEntry> it = entries.values().iterator();
        while (used > capacity && it.hasNext()) {
            KeyEntry entry = it.next();
            for (Iterator<Slot> slots = entry.slots.values().iterator(); slots.hasNext(); ) {
                Slot slot = slots.next();
                if (slot.present != null) {
                    unstore(slot.present);
                    slot.present = null;
                    evicted++;
                }
                if (slot.empty()) {
                    slots.remove();
                }
            }
            if (entry.idle()) {
                it.remove();
            }
        }
    }

    /** Completes the waits an ended obligation or a new object settles. */
    private void wake(KeyEntry entry) {
        List<Map.Entry<Waiter, Lookup>> ready = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiter> it = entry.waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.future().isDone()) {
                    it.remove();
                    continue;
                }
                Lookup result = w.replace() ? attemptReplace(entry, w.headers()) : attempt(entry, w.headers());
                if (result != null) {
                    it.remove();
                    ready.add(new SimpleEntry<>(w, result));
                }
            }
            if (entry.idle()) {
                entries.remove(entry.key, entry);
            }
        }
        for (var r : ready) {
            if (!r.getKey().future().complete(r.getValue()) && r.getValue().obligation() != null) {
                // The waiter left meanwhile: pass its obligation on.
                r.getValue().obligation().abandon();
            }
        }
    }

    /**
     * Purges every object tagged with {@code surrogateKey}: removed, or with {@code soft} marked stale (still usable
     * within its stale-while-revalidate period while one client revalidates it). Returns how many.
     */
    public int purge(String surrogateKey, boolean soft) {
        synchronized (this) {
            int count = 0;
            for (Iterator<KeyEntry> it = entries.values().iterator(); it.hasNext(); ) {
                KeyEntry entry = it.next();
                for (Iterator<Slot> slots = entry.slots.values().iterator(); slots.hasNext(); ) {
                    Slot slot = slots.next();
                    CachedObject o = slot.present;
                    if (o == null || !o.write().surrogateKeys().contains(surrogateKey)) {
                        continue;
                    }
                    count++;
                    if (soft) {
                        o.softPurge();
                    } else {
                        unstore(o);
                        slot.present = null;
                        if (slot.empty()) {
                            slots.remove();
                        }
                    }
                }
                if (entry.idle()) {
                    it.remove();
                }
            }
            return count;
        }
    }

    /** Empties the store (outstanding obligations stay valid: what they insert is stored). */
    public void clear() {
        synchronized (this) {
            for (Iterator<KeyEntry> it = entries.values().iterator(); it.hasNext(); ) {
                KeyEntry entry = it.next();
                for (Iterator<Slot> slots = entry.slots.values().iterator(); slots.hasNext(); ) {
                    Slot slot = slots.next();
                    if (slot.present != null) {
                        unstore(slot.present);
                        slot.present = null;
                    }
                    slot.passing = false;
                    if (slot.empty()) {
                        slots.remove();
                    }
                }
                if (entry.idle()) {
                    it.remove();
                }
            }
        }
    }
}
