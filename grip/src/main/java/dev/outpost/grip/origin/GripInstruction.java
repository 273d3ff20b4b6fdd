package dev.outpost.grip.origin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.outpost.grip.HttpStatusText;
import dev.outpost.grip.instruct.GripChannel;
import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.GripStatus;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.InstructResponse;
import dev.outpost.grip.instruct.KeepAlive;
import dev.outpost.grip.instruct.KeepAliveMode;
import dev.outpost.grip.instruct.NextLink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a GRIP origin answers to hold a request, written either as {@code Grip-*} headers or as an
 * {@code application/grip-instruct} body. The inverse of {@link GripInstructParser}: the proxy reads back exactly
 * {@link #toInstruct()}.
 *
 * <pre>{@code
 * // a stream on channel "news" with a newline as keep-alive every 20 s
 * GripInstruction grip = GripInstruction.holdStream("news").keepAlive("\n", 20);
 * grip.headers().forEach(h -> exchange.getResponseHeaders().add(h.getKey(), h.getValue()));
 *
 * // a long-poll that gets "{}" after 30 s without a publish
 * GripInstruction poll = GripInstruction.holdResponse().channel("news", lastId).timeout(30);
 * }</pre>
 *
 * <p>Header values are written in Pushpin's syntax and quoted where needed. Channel names with {@code ,} or
 * {@code ;} cannot be written as headers ({@link #headers()} says so); the instruct body takes any name.
 */
public final class GripInstruction {
    private static final class Json {
        static final JsonFactory FACTORY = new JsonFactory();
    }

    private final HoldMode hold;
    private final List<GripChannel> channels = new ArrayList<>();
    private Integer timeoutSeconds;
    private KeepAlive keepAlive;
    private NextLink nextLink;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private GripStatus status;
    private InstructResponse response;

    private GripInstruction(HoldMode hold) {
        this.hold = hold;
    }

    /** Holds the request as a stream: published {@code http-stream} content is appended to the response. */
    public static GripInstruction holdStream(String... channels) {
        return new GripInstruction(HoldMode.STREAM).channels(channels);
    }

    /** Holds the request as a long-poll: a published {@code http-response} (or the timeout) completes it. */
    public static GripInstruction holdResponse(String... channels) {
        return new GripInstruction(HoldMode.RESPONSE).channels(channels);
    }

    /** No hold: only what is set (a next link, a status) applies, e.g. to continue a stream elsewhere. */
    public static GripInstruction noHold() {
        return new GripInstruction(null);
    }

    private GripInstruction channels(String... names) {
        for (String n : names) {
            channel(n);
        }
        return this;
    }

    /** Subscribes to a channel. */
    public GripInstruction channel(String name) {
        return channel(new GripChannel(checkName(name)));
    }

    /**
     * Subscribes to a channel after the item {@code prevId}: when the channel's last ID is another, the proxy asks
     * again (a long-poll with {@code Grip-Last}) instead of waiting.
     */
    public GripInstruction channel(String name, String prevId, String... filters) {
        return channel(new GripChannel(checkName(name), prevId, List.of(filters)));
    }

    /** Subscribes to a channel with its prev-id and filters (at most 5: {@code skip-self}, {@code require-sub}...). */
    public GripInstruction channel(GripChannel channel) {
        Objects.requireNonNull(channel, "channel");
        checkName(channel.name());
        if (channel.filters().size() > GripInstructParser.MAX_FILTERS) {
            throw new IllegalArgumentException("channel '" + channel.name() + "': "
                    + channel.filters().size() + " filters (expected: at most " + GripInstructParser.MAX_FILTERS + ")");
        }
        channels.add(channel);
        return this;
    }

    /** Long-poll timeout in seconds (the proxy's default is 55, its minimum 5). */
    public GripInstruction timeout(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout: " + seconds + " (expected: seconds >= 0)");
        }
        this.timeoutSeconds = seconds;
        return this;
    }

    /** Sends {@code content} on a stream that was idle for {@code seconds}. */
    public GripInstruction keepAlive(String content, int seconds) {
        return keepAlive(content.getBytes(StandardCharsets.UTF_8), seconds, KeepAliveMode.IDLE);
    }

    /** Sends {@code content} on the stream when idle ({@link KeepAliveMode#IDLE}) or every period (INTERVAL). */
    public GripInstruction keepAlive(byte[] content, int seconds, KeepAliveMode mode) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(mode, "mode");
        if (content.length == 0) {
            throw new IllegalArgumentException("keep-alive content: empty (expected: at least one byte)");
        }
        if (seconds < 1) {
            throw new IllegalArgumentException("keep-alive timeout: " + seconds + " (expected: seconds >= 1)");
        }
        this.keepAlive = new KeepAlive(content.clone(), seconds, mode);
        return this;
    }

    /** Where a stream continues: the proxy fetches {@code uri} (relative to the request) when told to. */
    public GripInstruction nextLink(String uri) {
        return nextLink(uri, NextLink.DEFAULT_TIMEOUT);
    }

    /** Where a stream continues, fetched after {@code timeoutSeconds} without a publish too. */
    public GripInstruction nextLink(String uri, int timeoutSeconds) {
        Objects.requireNonNull(uri, "uri");
        if (uri.isEmpty() || uri.indexOf(',') >= 0 || uri.indexOf('>') >= 0) {
            throw new IllegalArgumentException("next link: '" + uri + "' (expected: a URI without ',' and '>')");
        }
        if (timeoutSeconds < 0) {
            throw new IllegalArgumentException("next link timeout: " + timeoutSeconds + " (expected: seconds >= 0)");
        }
        this.nextLink = new NextLink(uri, timeoutSeconds);
        return this;
    }

    /** Subscription meta that publish filters can match ({@code skip-self} compares it with the item's meta). */
    public GripInstruction meta(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !isToken(name)) {
            throw new IllegalArgumentException("meta name: '" + name + "' (expected: a token: letters, digits, -_.)");
        }
        meta.put(name, value);
        return this;
    }

    /** The status the client sees instead of the origin's ({@code Grip-Status}). */
    public GripInstruction status(int code) {
        return status(code, HttpStatusText.of(code));
    }

    /** The status line the client sees instead of the origin's. */
    public GripInstruction status(int code, String reason) {
        if (code < 0 || code > 999) {
            throw new IllegalArgumentException("status: " + code + " (expected: 0-999)");
        }
        this.status = new GripStatus(code, Objects.requireNonNull(reason, "reason"));
        return this;
    }

    /**
     * For {@link #instructBody()}: the response the client gets (at once for a stream, at the timeout for a
     * long-poll). Without it the body carries an empty 200 response.
     */
    public GripInstruction response(int code, List<Map.Entry<String, String>> headers, byte[] body) {
        if (code < 0 || code > 999) {
            throw new IllegalArgumentException("response code: " + code + " (expected: 0-999)");
        }
        this.response =
                new InstructResponse(code, HttpStatusText.of(code), headers, body == null ? null : body.clone());
        return this;
    }

    /** As {@link #response(int, List, byte[])} with a UTF-8 body. */
    public GripInstruction response(int code, List<Map.Entry<String, String>> headers, String body) {
        return response(code, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The instruction as the proxy reads it from {@link #headers()} ({@code response} is null). */
    public GripInstruct toInstruct() {
        return new GripInstruct(
                hold,
                channels,
                Math.max(
                        timeoutSeconds == null ? GripInstruct.DEFAULT_TIMEOUT : timeoutSeconds,
                        GripInstruct.MIN_TIMEOUT),
                keepAlive,
                status,
                nextLink,
                null,
                hold == null ? Map.of() : meta,
                null,
                null);
    }

    /**
     * The {@code Grip-*} response headers, in order.
     *
     * @throws IllegalStateException for a hold without channels, or a channel name headers cannot carry
     */
    public List<Map.Entry<String, String>> headers() {
        check();
        List<Map.Entry<String, String>> out = new ArrayList<>();
        if (hold != null) {
            out.add(Map.entry("Grip-Hold", hold == HoldMode.STREAM ? "stream" : "response"));
            List<String> elements = new ArrayList<>();
            for (GripChannel c : channels) {
                if (c.name().indexOf(',') >= 0
                        || c.name().indexOf(';') >= 0
                        || !c.name().equals(c.name().strip())) {
                    throw new IllegalStateException("channel '" + c.name() + "': a Grip-Channel header cannot carry"
                            + " ',', ';' or surrounding spaces (expected: instructBody() for such names)");
                }
                StringBuilder sb = new StringBuilder(c.name());
                if (c.prevId() != null) {
                    sb.append("; prev-id=").append(quote(c.prevId()));
                }
                for (String f : c.filters()) {
                    sb.append("; filter=").append(quote(f));
                }
                elements.add(sb.toString());
            }
            out.add(Map.entry("Grip-Channel", String.join(", ", elements)));
            if (timeoutSeconds != null) {
                out.add(Map.entry("Grip-Timeout", Integer.toString(timeoutSeconds)));
            }
            if (keepAlive != null) {
                out.add(Map.entry("Grip-Keep-Alive", keepAliveHeader(keepAlive)));
            }
            if (!meta.isEmpty()) {
                List<String> pairs = new ArrayList<>();
                meta.forEach((k, v) -> pairs.add(k + "=" + quote(v)));
                out.add(Map.entry("Grip-Set-Meta", String.join(", ", pairs)));
            }
        }
        if (status != null) {
            out.add(Map.entry("Grip-Status", status.code() + " " + status.reason()));
        }
        if (nextLink != null) {
            out.add(Map.entry("Grip-Link", "<" + nextLink.uri() + ">; rel=next; timeout=" + nextLink.timeoutSeconds()));
        }
        return out;
    }

    /**
     * The headers to send with {@link #instructBody()}: {@code Content-Type: application/grip-instruct}, and
     * {@code Grip-Link} for a next link (the body has no field for it).
     */
    public List<Map.Entry<String, String>> instructHeaders() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        out.add(Map.entry("Content-Type", GripInstructParser.INSTRUCT_CONTENT_TYPE));
        if (nextLink != null) {
            out.add(Map.entry("Grip-Link", "<" + nextLink.uri() + ">; rel=next; timeout=" + nextLink.timeoutSeconds()));
        }
        return out;
    }

    /** The {@code application/grip-instruct} body (JSON): the hold and the response the client gets. */
    public byte[] instructBody() {
        check();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            if (hold != null) {
                g.writeObjectFieldStart("hold");
                g.writeStringField("mode", hold == HoldMode.STREAM ? "stream" : "response");
                g.writeArrayFieldStart("channels");
                for (GripChannel c : channels) {
                    g.writeStartObject();
                    g.writeStringField("name", c.name());
                    if (c.prevId() != null) {
                        g.writeStringField("prev-id", c.prevId());
                    }
                    if (!c.filters().isEmpty()) {
                        g.writeArrayFieldStart("filters");
                        for (String f : c.filters()) {
                            g.writeString(f);
                        }
                        g.writeEndArray();
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (timeoutSeconds != null) {
                    g.writeNumberField("timeout", timeoutSeconds);
                }
                if (keepAlive != null) {
                    g.writeObjectFieldStart("keep-alive");
                    g.writeStringField("content-bin", Base64.getEncoder().encodeToString(keepAlive.content()));
                    g.writeNumberField("timeout", keepAlive.timeoutSeconds());
                    g.writeStringField("mode", keepAlive.mode() == KeepAliveMode.INTERVAL ? "interval" : "idle");
                    g.writeEndObject();
                }
                if (!meta.isEmpty()) {
                    g.writeObjectFieldStart("meta");
                    for (Map.Entry<String, String> e : meta.entrySet()) {
                        g.writeStringField(e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            InstructResponse r = response != null ? response : defaultResponse();
            g.writeObjectFieldStart("response");
            g.writeNumberField("code", r.code());
            if (!r.reason().equals(HttpStatusText.of(r.code()))) {
                g.writeStringField("reason", r.reason());
            }
            if (!r.headers().isEmpty()) {
                g.writeArrayFieldStart("headers");
                for (Map.Entry<String, String> h : r.headers()) {
                    g.writeStartArray();
                    g.writeString(h.getKey());
                    g.writeString(h.getValue());
                    g.writeEndArray();
                }
                g.writeEndArray();
            }
            g.writeStringField("body-bin", Base64.getEncoder().encodeToString(r.body()));
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write grip-instruct JSON", e);
        }
        return out.toByteArray();
    }

    private InstructResponse defaultResponse() {
        int code = status != null ? status.code() : 200;
        String reason = status != null ? status.reason() : HttpStatusText.of(200);
        return new InstructResponse(code, reason, List.of(), new byte[0]);
    }

    private void check() {
        if (hold != null && channels.isEmpty()) {
            throw new IllegalStateException("a hold without channels (expected: at least one channel)");
        }
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "channel");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("channel: empty (expected: a channel name)");
        }
        return name;
    }

    /** Raw when the bytes are plain printable ASCII, cstring for text with line breaks, else Base64. */
    static String keepAliveHeader(KeepAlive k) {
        byte[] c = k.content();
        boolean printable = true;
        boolean cstringable = true;
        for (byte b : c) {
            boolean p = b >= 0x21 && b < 0x7f && b != ';' && b != '\\' && b != '"' && b != ',';
            printable &= p;
            cstringable &= p || b == '\r' || b == '\n' || b == ' ' || b == '\\';
        }
        String data;
        if (printable) {
            data = new String(c, StandardCharsets.US_ASCII);
        } else if (cstringable && c[0] != ' ' && c[c.length - 1] != ' ') {
            StringBuilder sb = new StringBuilder();
            for (byte b : c) {
                switch (b) {
                    case '\r' -> sb.append("\\r");
                    case '\n' -> sb.append("\\n");
                    case '\\' -> sb.append("\\\\");
                    default -> sb.append((char) b);
                }
            }
            data = sb + "; format=cstring";
        } else {
            data = Base64.getEncoder().encodeToString(c) + "; format=base64";
        }
        return data + "; timeout=" + k.timeoutSeconds() + (k.mode() == KeepAliveMode.INTERVAL ? "; mode=interval" : "");
    }

    /** A parameter value: as is when it is a token, else quoted with {@code \} escapes. */
    static String quote(String v) {
        if (!v.isEmpty() && isToken(v)) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~:/@?".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
