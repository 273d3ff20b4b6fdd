package dev.outpost.proxy.route;

import dev.outpost.grip.sig.GripSig;
import io.netty.util.AsciiString;
import java.time.Instant;

/**
 * The {@code Grip-Sig} token of one route: signed with the route's issuer and key, each falling back to the
 * configuration's when the route does not give it. A token lasts its second: every request of that second gets the same one, so that
 * a busy route signs once a second rather than once a request.
 */
public final class RouteSigner {
    private record Token(long second, AsciiString value) {}

    /** A signer that signs nothing (no issuer or no key). */
    public static final RouteSigner NONE = new RouteSigner(null, null);

    private final String iss;
    private final byte[] key;
    private volatile Token last;

    private RouteSigner(String iss, byte[] key) {
        this.iss = iss;
        this.key = key == null ? null : key.clone();
    }

    /** Signs as {@code iss} with {@code key}; {@link #NONE} when either is missing. */
    public static RouteSigner of(String iss, byte[] key) {
        return key != null && iss != null && !iss.isEmpty() ? new RouteSigner(iss, key) : NONE;
    }

    /** {@code route}'s signer: its issuer and key, each the configuration's ({@code iss}, {@code key}) when not given. */
    public static RouteSigner forRoute(Route route, String iss, byte[] key) {
        return of(route.sigIss() != null ? route.sigIss() : iss, route.sigKey() != null ? route.sigKey() : key);
    }

    /** The token for now, or null when this signer signs nothing. */
    public AsciiString sign() {
        if (key == null) {
            return null;
        }
        long now = System.currentTimeMillis() / 1000;
        Token t = last;
        if (t != null && t.second == now) {
            return t.value;
        }
        AsciiString token = new AsciiString(GripSig.sign(iss, key, Instant.ofEpochSecond(now)));
        last = new Token(now, token);
        return token;
    }
}
