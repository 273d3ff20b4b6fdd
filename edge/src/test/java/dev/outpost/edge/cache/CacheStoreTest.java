package dev.outpost.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.HeaderList;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The store's rules on values, with a clock the test moves. */
class CacheStoreTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CacheStore store = new CacheStore(1 << 20, now::get);
    private static final HeaderList NO_HEADERS = new HeaderList();

    private static CacheKey key(String k) {
        return CacheKey.core(k.getBytes(StandardCharsets.UTF_8));
    }

    private static CollectedBody body(String text) {
        return CollectedBody.of(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String read(CachedObject object) throws InterruptedException {
        return new String(object.body().reader(null, null).readAll(), StandardCharsets.UTF_8);
    }

    private static CacheWrite write(long maxAgeSeconds, long swrSeconds, String... surrogateKeys) {
        return new CacheWrite(
                TimeUnit.SECONDS.toNanos(maxAgeSeconds),
                0,
                TimeUnit.SECONDS.toNanos(swrSeconds),
                0,
                VaryRule.NONE,
                new byte[0],
                null,
                false,
                Set.of(surrogateKeys),
                null);
    }

    private void advance(long seconds) {
        now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Test
    void insertThenLookupFindsTheObjectUntilItExpires() throws Exception {
        store.insert(key("a"), NO_HEADERS, write(10, 0), body("hello"));
        Lookup found = store.lookup(key("a"), NO_HEADERS);
        assertThat(read(found.found())).isEqualTo("hello");
        assertThat(found.found().hits()).isEqualTo(1);
        assertThat(found.state()).isEqualTo(Lookup.FOUND | Lookup.USABLE);
        advance(11);
        assertThat(store.lookup(key("a"), NO_HEADERS).found()).isNull();
    }

    @Test
    void concurrentTransactionsCollapseOntoOneObligation() throws Exception {
        CompletableFuture<Lookup> leader = store.transactionLookup(key("t"), NO_HEADERS);
        CompletableFuture<Lookup> follower = store.transactionLookup(key("t"), NO_HEADERS);
        assertThat(leader).isDone();
        assertThat(leader.get().state()).isEqualTo(Lookup.MUST_INSERT_OR_UPDATE);
        assertThat(follower).isNotDone();
        leader.get().obligation().insert(write(10, 0), body("v"));
        assertThat(follower).isDone();
        assertThat(read(follower.get().found())).isEqualTo("v");
        assertThat(follower.get().obligation()).isNull();
    }

    @Test
    void anAbandonedObligationPassesToAWaitingClient() throws Exception {
        Lookup leader = store.transactionLookup(key("t"), NO_HEADERS).get();
        CompletableFuture<Lookup> next = store.transactionLookup(key("t"), NO_HEADERS);
        leader.obligation().abandon();
        assertThat(next.get(1, TimeUnit.SECONDS).obligation()).isNotNull();
        assertThatThrownBy(() -> leader.obligation().insert(write(1, 0), body("late")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aWaiterThatLeftDoesNotKeepTheObligation() throws Exception {
        Lookup leader = store.transactionLookup(key("t"), NO_HEADERS).get();
        CompletableFuture<Lookup> gone = store.transactionLookup(key("t"), NO_HEADERS);
        gone.cancel(false);
        leader.obligation().abandon();
        assertThat(store.transactionLookup(key("t"), NO_HEADERS)
                        .get(1, TimeUnit.SECONDS)
                        .obligation())
                .isNotNull();
    }

    @Test
    void aStaleObjectWithinStaleWhileRevalidateIsServedWhileOneClientRevalidates() throws Exception {
        store.insert(key("s"), NO_HEADERS, write(10, 60), body("old"));
        advance(20);
        Lookup first = store.transactionLookup(key("s"), NO_HEADERS).get();
        assertThat(first.state()).isEqualTo(Lookup.FOUND | Lookup.USABLE | Lookup.STALE | Lookup.MUST_INSERT_OR_UPDATE);
        Lookup second = store.transactionLookup(key("s"), NO_HEADERS).get();
        assertThat(second.state()).isEqualTo(Lookup.FOUND | Lookup.USABLE | Lookup.STALE);
        CachedObject fresh = first.obligation().update(write(10, 60));
        assertThat(read(fresh)).isEqualTo("old");
        assertThat(store.transactionLookup(key("s"), NO_HEADERS).get().state()).isEqualTo(Lookup.FOUND | Lookup.USABLE);
    }

    @Test
    void varyRulesSelectVariants() throws Exception {
        HeaderList en = new HeaderList();
        en.append("accept-language", "en");
        HeaderList fr = new HeaderList();
        fr.append("accept-language", "fr");
        CacheWrite vary = new CacheWrite(
                TimeUnit.SECONDS.toNanos(60),
                0,
                0,
                0,
                VaryRule.parse("Accept-Language"),
                new byte[0],
                null,
                false,
                Set.of(),
                null);
        store.insert(key("v"), en, vary, body("english"));
        store.insert(key("v"), fr, vary, body("french"));
        assertThat(read(store.lookup(key("v"), en).found())).isEqualTo("english");
        assertThat(read(store.lookup(key("v"), fr).found())).isEqualTo("french");
        assertThat(store.lookup(key("v"), NO_HEADERS).found()).isNull();
    }

    @Test
    void purgeBySurrogateKeyRemovesOrMarksStale() throws Exception {
        store.insert(key("a"), NO_HEADERS, write(60, 60, "one", "two"), body("a"));
        store.insert(key("b"), NO_HEADERS, write(60, 60, "two"), body("b"));
        store.insert(key("c"), NO_HEADERS, write(60, 60, "three"), body("c"));
        assertThat(store.purge("one", false)).isEqualTo(1);
        assertThat(store.lookup(key("a"), NO_HEADERS).found()).isNull();
        assertThat(store.purge("two", true)).isEqualTo(1);
        Lookup soft = store.lookup(key("b"), NO_HEADERS);
        assertThat(soft.state() & Lookup.STALE).isNotZero();
        assertThat(store.lookup(key("c"), NO_HEADERS).found()).isNotNull();
    }

    @Test
    void theLeastRecentlyUsedKeysAreEvictedToStayUnderTheCap() throws Exception {
        CacheStore small = new CacheStore(3000, now::get);
        byte[] kilobyte = new byte[1024];
        small.insert(key("a"), NO_HEADERS, write(60, 0), CollectedBody.of(kilobyte));
        small.insert(key("b"), NO_HEADERS, write(60, 0), CollectedBody.of(kilobyte));
        small.lookup(key("a"), NO_HEADERS);
        small.insert(key("c"), NO_HEADERS, write(60, 0), CollectedBody.of(kilobyte));
        assertThat(small.usedBytes()).isLessThanOrEqualTo(3000);
        assertThat(small.lookup(key("a"), NO_HEADERS).found()).isNotNull();
        assertThat(small.lookup(key("b"), NO_HEADERS).found()).isNull();
        assertThat(small.lookup(key("c"), NO_HEADERS).found()).isNotNull();
        assertThat(small.evictions()).isEqualTo(1);
        // An object larger than the whole cache is not kept.
        small.insert(key("big"), NO_HEADERS, write(60, 0), CollectedBody.of(new byte[8192]));
        assertThat(small.lookup(key("big"), NO_HEADERS).found()).isNull();
        assertThat(small.usedBytes()).isLessThanOrEqualTo(3000);
    }

    @Test
    void aStreamingInsertIsReadableWhileWrittenAndAnAbandonedOneLeaves() throws Exception {
        Body written = new Body();
        CachedObject object = store.insert(key("s"), NO_HEADERS, write(60, 0), CollectedBody.collecting(written, null));
        Body reader = store.lookup(key("s"), NO_HEADERS).found().body().reader(null, null);
        written.write("part1 ".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reader.read(100), StandardCharsets.UTF_8)).isEqualTo("part1 ");
        written.write("part2".getBytes(StandardCharsets.UTF_8));
        written.finish();
        assertThat(new String(reader.readAll(), StandardCharsets.UTF_8)).isEqualTo("part2");
        assertThat(object.length()).isEqualTo(11);

        Body failing = new Body();
        store.insert(key("f"), NO_HEADERS, write(60, 0), CollectedBody.collecting(failing, null));
        failing.write("half".getBytes(StandardCharsets.UTF_8));
        failing.abandon();
        assertThat(store.lookup(key("f"), NO_HEADERS).found()).isNull();
    }

    @Test
    void aHitForPassLetsLookupsThroughWithoutWaiting() throws Exception {
        Lookup leader = store.transactionLookup(key("p"), NO_HEADERS).get();
        leader.obligation().recordNotCacheable(TimeUnit.SECONDS.toNanos(120));
        Lookup next = store.transactionLookup(key("p"), NO_HEADERS).get(1, TimeUnit.SECONDS);
        assertThat(next.found()).isNull();
        assertThat(next.obligation()).isNull();
        advance(121);
        assertThat(store.transactionLookup(key("p"), NO_HEADERS).get().obligation())
                .isNotNull();
    }

    @Test
    void replaceStrategies() throws Exception {
        store.insert(key("r"), NO_HEADERS, write(60, 0), body("v1"));
        Lookup immediate = store.replace(key("r"), NO_HEADERS, CacheStore.ReplaceStrategy.IMMEDIATE)
                .get();
        assertThat(read(immediate.found())).isEqualTo("v1");
        assertThat(immediate.obligation()).isNull();

        Lookup force = store.replace(key("r"), NO_HEADERS, CacheStore.ReplaceStrategy.IMMEDIATE_FORCE_MISS)
                .get();
        assertThat(read(force.found())).isEqualTo("v1");
        // The existing object is out of sight, and a transaction waits for the replacement.
        assertThat(store.lookup(key("r"), NO_HEADERS).found()).isNull();
        CompletableFuture<Lookup> waiting = store.transactionLookup(key("r"), NO_HEADERS);
        CompletableFuture<Lookup> queued = store.replace(key("r"), NO_HEADERS, CacheStore.ReplaceStrategy.WAIT);
        assertThat(waiting).isNotDone();
        assertThat(queued).isNotDone();
        force.obligation().insert(write(60, 0), body("v2"));
        assertThat(read(waiting.get(1, TimeUnit.SECONDS).found())).isEqualTo("v2");
        Lookup wait = queued.get(1, TimeUnit.SECONDS);
        assertThat(read(wait.found())).isEqualTo("v2");
        wait.obligation().insert(write(60, 0), body("v3"));
        assertThat(read(store.lookup(key("r"), NO_HEADERS).found())).isEqualTo("v3");
    }

    @Test
    void clearEmptiesTheStore() throws Exception {
        store.insert(key("a"), NO_HEADERS, write(60, 0), body("a"));
        store.clear();
        assertThat(store.objects()).isZero();
        assertThat(store.usedBytes()).isZero();
    }

    @Test
    void rangesAreReadWhenTheLengthIsKnown() throws Exception {
        CollectedBody b = body("0123456789");
        assertThat(new String(b.reader(2L, 4L).readAll(), StandardCharsets.UTF_8))
                .isEqualTo("234");
        assertThat(new String(b.reader(null, 3L).readAll(), StandardCharsets.UTF_8))
                .isEqualTo("789");
        // An invalid range reads the whole body, as Fastly does.
        assertThat(new String(b.reader(20L, null).readAll(), StandardCharsets.UTF_8))
                .isEqualTo("0123456789");
    }
}
