package dev.outpost.grip.filter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Subscription filters ({@code Grip-Channel: c; filter=NAME}, instruct {@code filters}, WebSocket {@code subscribe}),
 * as Pushpin's {@code handler/filter.cpp} defines them:
 *
 * <table>
 * <caption>Filters</caption>
 * <tr><td>{@code skip-self}</td><td>drop when sub meta {@code user} equals pub meta {@code sender}</td></tr>
 * <tr><td>{@code skip-users}</td><td>drop when sub meta {@code user} is in pub meta {@code skip_users} (comma list)</td></tr>
 * <tr><td>{@code require-sub}</td><td>drop unless the connection is subscribed to pub meta {@code require_sub}</td></tr>
 * <tr><td>{@code var-subst}</td><td>{@code %(name)s} in the content becomes sub meta {@code name}; {@code %%} is {@code %}</td></tr>
 * <tr><td>{@code build-id}</td><td>{@code %I} in the content becomes the ID rendered from sub meta {@code id_format}
 * ({@code %(channel)s} = the session's last ID on that channel), hex-encoded when {@code id_encoding=hex}</td></tr>
 * </table>
 *
 * Unknown names are ignored, as in Pushpin. Pure functions; no I/O.
 */
public final class SubscriptionFilters {
    /** At most this many filters per channel. */
    public static final int MAX_PER_CHANNEL = 5;
    /** The filters that change content; a published format's {@code content-filters} must list exactly these. */
    private static final Set<String> CONTENT = Set.of("var-subst", "build-id");

    /** What a filter sees besides the content. */
    public record Context(
            Map<String, String> subscriptionMeta,
            Map<String, String> publishMeta,
            Predicate<String> subscribedTo,
            Map<String, String> lastIds) {
        public Context {
            subscriptionMeta = subscriptionMeta == null ? Map.of() : subscriptionMeta;
            publishMeta = publishMeta == null ? Map.of() : publishMeta;
            subscribedTo = subscribedTo == null ? c -> false : subscribedTo;
            lastIds = lastIds == null ? Map.of() : lastIds;
        }
    }

    /** The outcome: {@link #content()} is null when the item is dropped; {@link #reason()} says why. */
    public record Result(byte[] content, String reason) {
        public boolean dropped() {
            return content == null;
        }
    }

    private SubscriptionFilters() {}

    /** The content-modifying filters of a subscription, in order. */
    public static List<String> contentFilters(List<String> filters) {
        List<String> out = new ArrayList<>();
        for (String f : filters) {
            if (CONTENT.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Whether an item prepared for {@code itemContentFilters} fits a subscription with {@code filters}. An item that
     * names none fits every subscription (the list can't tell "absent" from "empty").
     */
    public static boolean contentFiltersMatch(List<String> filters, List<String> itemContentFilters) {
        return itemContentFilters == null
                || itemContentFilters.isEmpty()
                || contentFilters(filters).equals(itemContentFilters);
    }

    /** Runs the filters in order over {@code content}. */
    public static Result apply(List<String> filters, Context ctx, byte[] content) {
        byte[] c = content == null ? new byte[0] : content;
        for (String f : filters) {
            switch (f) {
                case "skip-self" -> {
                    String user = ctx.subscriptionMeta().get("user");
                    String sender = ctx.publishMeta().get("sender");
                    if (user != null && !user.isEmpty() && user.equals(sender)) {
                        return new Result(null, "skip-self");
                    }
                }
                case "skip-users" -> {
                    String user = ctx.subscriptionMeta().get("user");
                    String list = ctx.publishMeta().get("skip_users");
                    if (user != null && !user.isEmpty() && list != null) {
                        for (String u : list.split(",")) {
                            if (u.trim().equals(user)) {
                                return new Result(null, "skip-users");
                            }
                        }
                    }
                }
                case "require-sub" -> {
                    String ch = ctx.publishMeta().get("require_sub");
                    if (ch != null && !ch.isEmpty() && !ctx.subscribedTo().test(ch)) {
                        return new Result(null, "require-sub");
                    }
                }
                case "var-subst" -> {
                    try {
                        c = substitute(c, ctx.subscriptionMeta());
                    } catch (IllegalArgumentException e) {
                        return new Result(null, "var-subst: " + e.getMessage());
                    }
                }
                case "build-id" -> {
                    try {
                        c = buildId(c, ctx);
                    } catch (IllegalArgumentException e) {
                        return new Result(null, "build-id: " + e.getMessage());
                    }
                }
                default -> {
                    // unknown filters do nothing, as in Pushpin
                }
            }
        }
        return new Result(c, null);
    }

    /** {@code %(name)s} → {@code vars[name]}, {@code %%} → {@code %}; anything else after {@code %} is an error. */
    public static byte[] substitute(byte[] content, Map<String, String> vars) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length);
        int i = 0;
        while (i < content.length) {
            byte b = content[i];
            if (b != '%') {
                out.write(b);
                i++;
                continue;
            }
            if (i + 1 >= content.length) {
                throw new IllegalArgumentException("'%' at the end of the content (expected: %% or %(name)s)");
            }
            byte n = content[i + 1];
            if (n == '%') {
                out.write('%');
                i += 2;
                continue;
            }
            if (n != '(') {
                throw new IllegalArgumentException("unknown directive '" + (char) n + "' (expected: %% or %(name)s)");
            }
            int close = indexOf(content, (byte) ')', i + 2);
            if (close < 0 || close + 1 >= content.length) {
                throw new IllegalArgumentException("unterminated '%(' (expected: %(name)s)");
            }
            if (content[close + 1] != 's') {
                throw new IllegalArgumentException(
                        "unknown directive '" + (char) content[close + 1] + "' (expected: s)");
            }
            String name = new String(content, i + 2, close - i - 2, StandardCharsets.UTF_8);
            String v = vars.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no such variable '" + name + "'");
            }
            out.writeBytes(v.getBytes(StandardCharsets.UTF_8));
            i = close + 2;
        }
        return out.toByteArray();
    }

    private static byte[] buildId(byte[] content, Context ctx) {
        String format = ctx.subscriptionMeta().get("id_format");
        if (format == null) {
            throw new IllegalArgumentException("no sub meta 'id_format'");
        }
        String enc = ctx.subscriptionMeta().get("id_encoding");
        if (enc != null && !enc.equals("hex")) {
            throw new IllegalArgumentException("unsupported encoding: " + enc);
        }
        byte[] id = ctx.lastIds().isEmpty()
                ? new byte[0]
                : substitute(format.getBytes(StandardCharsets.UTF_8), ctx.lastIds());
        byte[] rendered = "hex".equals(enc) ? HexFormat.of().formatHex(id).getBytes(StandardCharsets.US_ASCII) : id;
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + rendered.length);
        int i = 0;
        while (i < content.length) {
            byte b = content[i];
            if (b == '%' && i + 1 < content.length && content[i + 1] == 'I') {
                out.writeBytes(rendered);
                i += 2;
            } else if (b == '%' && i + 1 < content.length && content[i + 1] == '%') {
                out.write('%');
                i += 2;
            } else {
                out.write(b);
                i++;
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
