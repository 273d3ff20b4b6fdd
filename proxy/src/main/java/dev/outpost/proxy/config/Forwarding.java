package dev.outpost.proxy.config;

import java.util.Objects;
import java.util.function.Function;

/**
 * What the proxy says to origins about the client's hop: Pushpin's {@code [proxy]} keys
 * {@code accept_x_forwarded_protocol}, {@code set_x_forwarded_protocol}, {@code x_forwarded_for},
 * {@code x_forwarded_for_trusted} and {@code cdn_loop} (Pushpin's {@code proxy/app.cpp} reads them,
 * {@code proxy/proxyutil.cpp} applies them). A value; {@link #of} reads it from a configuration's settings.
 *
 * @param acceptProto    {@code accept_x_forwarded_protocol}: a client whose {@code X-Forwarded-Proto} (or, without
 *                       it, {@code X-Forwarded-Protocol}) says {@code https} or {@code wss} counts as a TLS client
 * @param setProto       {@code set_x_forwarded_protocol}: which headers name the scheme of a TLS client
 * @param untrusted      {@code x_forwarded_for}: the {@code X-Forwarded-For} rule for clients
 * @param trusted        {@code x_forwarded_for_trusted}: the rule for a GRIP proxy in front ({@code upstream_key})
 * @param cdnLoop        {@code cdn_loop}: appended to {@code CDN-Loop} (RFC 8586), or null
 */
public record Forwarding(boolean acceptProto, SetProto setProto, XffRule untrusted, XffRule trusted, String cdnLoop) {

    /** The setting names, as Pushpin's. */
    public static final String ACCEPT = "proxy/accept_x_forwarded_protocol";

    public static final String SET = "proxy/set_x_forwarded_protocol";
    public static final String XFF = "proxy/x_forwarded_for";
    public static final String XFF_TRUSTED = "proxy/x_forwarded_for_trusted";
    public static final String CDN_LOOP = "proxy/cdn_loop";

    /** A pushpin.conf without any of these keys: Pushpin then leaves every one of these headers as the client sent it. */
    public static final Forwarding NONE = new Forwarding(false, SetProto.NONE, XffRule.KEEP, XffRule.KEEP, null);

    public Forwarding {
        Objects.requireNonNull(setProto);
        Objects.requireNonNull(untrusted);
        Objects.requireNonNull(trusted);
        if (cdnLoop != null && cdnLoop.isEmpty()) {
            cdnLoop = null;
        }
    }

    /** {@code set_x_forwarded_protocol}'s three meanings. */
    public enum SetProto {
        /** Unset or {@code false}: the proxy neither removes nor adds these headers (unless it accepts them). */
        NONE,
        /** {@code proto-only} (Pushpin's example configuration): {@code X-Forwarded-Proto}. */
        PROTO_ONLY,
        /** {@code true}: {@code X-Forwarded-Proto} and the older {@code X-Forwarded-Protocol}. */
        BOTH;

        /** Whether the client's own headers are replaced; with {@link #NONE} they are kept unless accepted. */
        public boolean sets() {
            return this != NONE;
        }
    }

    /**
     * An {@code X-Forwarded-For} rule: keep the last {@code truncate} entries the client sent (all when negative),
     * then, with {@code append}, add the client's address.
     */
    public record XffRule(int truncate, boolean append) {
        /** No rule (Pushpin's empty value): the entries pass as they came. */
        public static final XffRule KEEP = new XffRule(-1, false);

        public XffRule {
            if (truncate < -1) {
                throw new IllegalArgumentException("truncate: " + truncate + " (expected: -1 or more)");
            }
        }
    }

    /**
     * The rules {@code config} sets; keys it does not set are Pushpin's defaults for an absent key.
     *
     * @throws IllegalArgumentException when a value is not one these keys take (the message names key and value)
     */
    public static Forwarding of(ProxyConfig config) {
        return new Forwarding(
                read(config, ACCEPT, PushpinConf::parseBool),
                read(config, SET, Forwarding::parseSetProto),
                read(config, XFF, Forwarding::parseXff),
                read(config, XFF_TRUSTED, Forwarding::parseXff),
                read(config, CDN_LOOP, Forwarding::parseCdnLoop));
    }

    private static <T> T read(ProxyConfig config, String key, Function<String, T> parse) {
        String v = config.setting(key).orElse("");
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            int slash = key.indexOf('/');
            throw new IllegalArgumentException(
                    "[" + key.substring(0, slash) + "] " + key.substring(slash + 1) + ": "
                            + (v.isEmpty() ? "(empty)" : v) + " (" + e.getMessage() + ")",
                    e);
        }
    }

    /** Expected values of {@code set_x_forwarded_protocol}, for messages. */
    public static final String SET_EXPECTED = "true, proto-only or false";

    /**
     * {@code set_x_forwarded_protocol}: {@code true}, {@code proto-only}, or {@code false} (or empty). Pushpin reads
     * any other word ({@code yes}, {@code on}) as {@code false}, which is rarely what was meant, so they are refused.
     */
    public static SetProto parseSetProto(String value) {
        String v = value.strip();
        return switch (v) {
            case "true" -> SetProto.BOTH;
            case "proto-only" -> SetProto.PROTO_ONLY;
            case "", "false" -> SetProto.NONE;
            default -> throw new IllegalArgumentException("expected: " + SET_EXPECTED);
        };
    }

    /** Expected values of the two {@code x_forwarded_for} keys, for messages. */
    public static final String XFF_EXPECTED = "empty, or a comma list of truncate:N (N >= 0) and append";

    /**
     * An {@code x_forwarded_for} or {@code x_forwarded_for_trusted} value: a comma list of {@code truncate:N} and
     * {@code append}, in any order (a later {@code truncate} wins, as in Pushpin); empty elements are skipped.
     * Pushpin stops at the first element it cannot read and ignores unknown words; here both are errors.
     */
    public static XffRule parseXff(String value) {
        int truncate = -1;
        boolean append = false;
        for (String part : value.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("append")) {
                append = true;
            } else if (p.startsWith("truncate:") && p.substring(9).strip().matches("[0-9]{1,9}")) {
                truncate = Integer.parseInt(p.substring(9).strip());
            } else {
                throw new IllegalArgumentException("expected: " + XFF_EXPECTED + "; not understood: " + p);
            }
        }
        return new XffRule(truncate, append);
    }

    /**
     * {@code cdn_loop} (Pushpin 1.37 and later; 1.36 ignores it): the value this proxy appends to {@code CDN-Loop},
     * its name as RFC 8586 §2 has it (a token, optionally with parameters). Empty means none.
     */
    public static String parseCdnLoop(String value) {
        String v = value.strip();
        if (v.isEmpty()) {
            return null;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new IllegalArgumentException("expected: a header value without control characters");
            }
        }
        return v;
    }
}
