package dev.outpost.edge.hostcalls;

import dev.outpost.edge.sandbox.RateLimits;
import dev.outpost.edge.sandbox.Sandbox;

/** {@code fastly_erl}: edge rate limiting with in-memory counters and penalty boxes. */
final class ErlHostcalls {
    private static final String M = "fastly_erl";

    private final Sandbox s;

    ErlHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        RateLimits erl = s.services().rateLimits();
        // ratecounter_increment(rc, rc_len, entry, entry_len, delta)
        t.fastly(
                M,
                "ratecounter_increment",
                (m, a) -> erl.increment(
                        Guest.string(m, a.i32(0), a.i32(1), "counter"),
                        Guest.string(m, a.i32(2), a.i32(3), "entry"),
                        Integer.toUnsignedLong(a.i32(4))));
        // ratecounter_lookup_rate(rc, rc_len, entry, entry_len, window, rate_out)
        t.fastly(
                M,
                "ratecounter_lookup_rate",
                (m, a) -> m.writeI32(a.i32(5), (int) erl.rate(
                        Guest.string(m, a.i32(0), a.i32(1), "counter"),
                        Guest.string(m, a.i32(2), a.i32(3), "entry"),
                        a.i32(4))));
        // ratecounter_lookup_count(rc, rc_len, entry, entry_len, duration, count_out)
        t.fastly(
                M,
                "ratecounter_lookup_count",
                (m, a) -> m.writeI32(a.i32(5), (int) erl.count(
                        Guest.string(m, a.i32(0), a.i32(1), "counter"),
                        Guest.string(m, a.i32(2), a.i32(3), "entry"),
                        a.i32(4))));
        // penaltybox_add(pb, pb_len, entry, entry_len, ttl)
        t.fastly(
                M,
                "penaltybox_add",
                (m, a) -> erl.penalize(
                        Guest.string(m, a.i32(0), a.i32(1), "penalty box"),
                        Guest.string(m, a.i32(2), a.i32(3), "entry"),
                        Integer.toUnsignedLong(a.i32(4))));
        // penaltybox_has(pb, pb_len, entry, entry_len, has_out)
        t.fastly(
                M,
                "penaltybox_has",
                (m, a) -> m.writeI32(
                        a.i32(4),
                        erl.penalized(
                                        Guest.string(m, a.i32(0), a.i32(1), "penalty box"),
                                        Guest.string(m, a.i32(2), a.i32(3), "entry"))
                                ? 1
                                : 0));
        // check_rate(rc, rc_len, entry, entry_len, delta, window, limit, pb, pb_len, ttl, blocked_out)
        t.fastly(M, "check_rate", (m, a) -> {
            String counter = Guest.string(m, a.i32(0), a.i32(1), "counter");
            String entry = Guest.string(m, a.i32(2), a.i32(3), "entry");
            String box = Guest.string(m, a.i32(7), a.i32(8), "penalty box");
            boolean blocked = erl.penalized(box, entry);
            if (!blocked) {
                erl.increment(counter, entry, Integer.toUnsignedLong(a.i32(4)));
                if (erl.rate(counter, entry, a.i32(5)) > Integer.toUnsignedLong(a.i32(6))) {
                    erl.penalize(box, entry, Integer.toUnsignedLong(a.i32(9)));
                    blocked = true;
                }
            }
            m.writeI32(a.i32(10), blocked ? 1 : 0);
        });
    }
}
