package dev.outpost.proxy.session;

import dev.outpost.grip.sig.GripSig;
import io.netty.util.AsciiString;
import java.time.Instant;
import java.util.Arrays;

/**
 * The {@code Grip-Sig} of the current second. A token depends only on the issuer, the key and the second it expires
 * in, so every request of one second can share it: signing a JWT per request was a fifth of the plain proxy path.
 */
final class SigCache {
    private record Entry(String iss, byte[] key, long second, AsciiString token) {}

    /** One entry: nearly always one issuer and key per proxy; a miss only costs a signature. */
    private static volatile Entry last;

    private SigCache() {}

    /** The same token {@link GripSig#sign} gives for {@code iss}, {@code key} and now. */
    static AsciiString sign(String iss, byte[] key) {
        long now = System.currentTimeMillis() / 1000;
        Entry e = last;
        if (e != null && e.second == now && Arrays.equals(e.key, key) && e.iss.equals(iss)) {
            return e.token;
        }
        AsciiString token = new AsciiString(GripSig.sign(iss, key, Instant.ofEpochSecond(now)));
        last = new Entry(iss, key.clone(), now, token);
        return token;
    }
}
