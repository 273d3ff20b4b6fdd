package dev.outpost.proxy.config;

import dev.outpost.grip.sig.GripSig;
import java.time.Instant;

/**
 * Pushpin's {@code [proxy] upstream_key}: the key of a GRIP proxy in front of this one (Fastly Fanout, another
 * Pushpin). A request whose {@code Grip-Sig} is signed with it and unexpired comes from that proxy, and is trusted as
 * Pushpin trusts it ({@code proxyutil.cpp}, {@code checkTrustedClient}): its {@code Grip-*} headers reach the origin
 * as they came (its {@code Grip-Sig} instead of this proxy's own), the origin's GRIP instructions go back to that
 * proxy untouched instead of being acted on here, and it may send WebSocket-over-HTTP events itself. Any other
 * request is a client's, whose {@code Grip-*} headers are stripped.
 */
public final class UpstreamKey {
    /** The setting, as Pushpin names it. */
    public static final String SETTING = "proxy/upstream_key";

    private final byte[] key;

    private UpstreamKey(byte[] key) {
        this.key = key;
    }

    /**
     * The key {@code config} sets, or null when none is (no request is trusted).
     *
     * @throws IllegalArgumentException when the value is not a key (the message names the setting, not the value)
     */
    public static UpstreamKey of(ProxyConfig config) {
        String v = config.setting(SETTING).map(String::strip).orElse("");
        if (v.isEmpty()) {
            return null;
        }
        try {
            return new UpstreamKey(SigKeys.parse(v));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("[proxy] upstream_key: " + e.getMessage(), e);
        }
    }

    /** True when {@code gripSig} (a request's header value, may be null) is signed with this key and unexpired. */
    public boolean trusts(String gripSig) {
        return gripSig != null && !gripSig.isBlank() && GripSig.verify(gripSig, key, Instant.now());
    }
}
