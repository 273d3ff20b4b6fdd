package dev.outpost.proxy.session;

import dev.outpost.grip.instruct.GripInstruct;
import dev.outpost.grip.instruct.GripInstructException;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.instruct.HoldMode;
import dev.outpost.grip.instruct.InstructResponse;
import dev.outpost.proxy.hold.ChannelRules;
import dev.outpost.proxy.hold.HeldResponse;
import dev.outpost.proxy.hold.HoldChannel;
import dev.outpost.proxy.hold.HoldContext;
import dev.outpost.proxy.hold.HoldHandoff;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An origin response with GRIP instructions, accepted: its body buffered (at most {@value #MAX_BODY} bytes, Pushpin's
 * MAX_ACCEPT_RESPONSE_BODY), the instruction parsed, and the {@link Outcome} for the exchange: refused (a 502), a
 * response to send as is, or one immutable {@link HoldHandoff} for the hold. A stream hold whose initial body is
 * larger than the buffer is handed over with what was read so far ({@link #overflow()}), the rest streamed through.
 */
final class GripAccept {
    private static final Logger log = LoggerFactory.getLogger(GripAccept.class);
    /** Largest origin body buffered for a GRIP instruction. */
    static final int MAX_BODY = 100_000;

    /** What the accepted response comes to. */
    sealed interface Outcome {}

    /** The instruction can't be followed: 502, {@code debugMessage} shown with {@code debug} on. */
    record Refused(String debugMessage) implements Outcome {}

    /** No hold and no next link: the response goes to the client as is. */
    record Respond(HeldResponse response) implements Outcome {}

    /**
     * The client goes to a hold: {@code mode} {@code RESPONSE} or {@code STREAM}, or null for a body-only answer that
     * its next link continues (a stream without channels).
     */
    record Handover(HoldMode mode, HoldHandoff handoff, GripInstruct instruct) implements Outcome {
        /** The channels, by name, as the observer reports them. */
        List<String> channelNames() {
            return ChannelRules.names(handoff.channels());
        }
    }

    /**
     * What every outcome of one exchange is made with.
     *
     * @param client the client's request facts
     * @param rules the route's prefix, the target's {@code sub=} channels, the subscription limit
     * @param debug whether error texts may be shown to the client
     * @param hc where channels over the limit are counted, and the connection's id
     */
    record Terms(HoldHandoff.Client client, ChannelRules rules, boolean debug, HoldContext hc) {}

    /** Whether a step of buffering took the part, completed the body, or found the body too large. */
    enum Step {
        MORE,
        COMPLETE,
        OVERFLOW
    }

    private final Terms terms;
    private final HttpResponse head;
    /** The body read so far; owned here until {@link #body()} or {@link #release()}. */
    private CompositeByteBuf body;

    GripAccept(Terms terms, HttpResponse head, ByteBufAllocator alloc) {
        this.terms = terms;
        this.head = head;
        this.body = alloc.compositeBuffer();
    }

    /** Adds {@code c} (released) to the body; on {@link Step#OVERFLOW} {@code c} is left to the caller. */
    Step add(HttpContent c) {
        if (body.readableBytes() + c.content().readableBytes() > MAX_BODY) {
            return Step.OVERFLOW;
        }
        body.addComponent(true, c.content().retain());
        boolean last = c instanceof LastHttpContent;
        c.release();
        return last ? Step.COMPLETE : Step.MORE;
    }

    /** The complete body's outcome. */
    Outcome complete() {
        return instruct(terms, head, take());
    }

    /**
     * The body is too large to buffer: a stream hold's {@link Handover} (or {@link Refused}) with the body so far, the
     * rest to be streamed through; null when the response is no stream hold (too large, then). The buffer is gone.
     */
    Outcome overflow() {
        String mode = head.headers().get("Grip-Hold");
        String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (mode == null
                || !mode.trim().equalsIgnoreCase("stream")
                || (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/grip-instruct"))) {
            release();
            return null;
        }
        GripInstruct ins;
        try {
            ins = parse(head, new byte[0]);
        } catch (Unreadable e) {
            release();
            return new Refused(e.getMessage());
        }
        HeldResponse held = heldResponse(head, take(), ins);
        String unsendable = unsendable(held);
        if (unsendable != null) {
            return new Refused(unsendable);
        }
        return new Handover(HoldMode.STREAM, handoff(terms, ins, held, channels(terms, ins), false), ins);
    }

    /** Lets go of the body read so far. */
    void release() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    private byte[] take() {
        byte[] b = ByteBufUtil.getBytes(body);
        release();
        return b;
    }

    /** The outcome of the GRIP response {@code r} with its whole {@code body}. */
    static Outcome instruct(Terms terms, HttpResponse r, byte[] body) {
        GripInstruct ins;
        try {
            ins = parse(r, body);
        } catch (Unreadable e) {
            return new Refused(e.getMessage());
        }
        HeldResponse held = heldResponse(r, body, ins);
        String unsendable = unsendable(held);
        if (unsendable != null) {
            return new Refused(unsendable);
        }
        if (!ins.isHold()) {
            if (ins.nextLink() == null) {
                return new Respond(held);
            }
            // the body is the first page: the next link continues the response
            return new Handover(null, handoff(terms, ins, held, List.of(), true), ins);
        }
        return new Handover(ins.hold(), handoff(terms, ins, held, channels(terms, ins), false), ins);
    }

    /** An instruction that can't be read; the message is what a client sees with debug on. */
    private static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message, null, false, false);
        }
    }

    private static GripInstruct parse(HttpResponse r, byte[] body) throws Unreadable {
        try {
            return GripInstructParser.parse(r.status().code(), Headers.list(r.headers()), body);
        } catch (GripInstructException e) {
            throw new Unreadable(e.getMessage());
        } catch (RuntimeException e) {
            log.warn("GRIP instruction could not be read", e);
            throw new Unreadable("Error: " + e);
        }
    }

    private static List<HoldChannel> channels(Terms terms, GripInstruct ins) {
        return terms.rules()
                .apply(ins.channels(), terms.hc().drops(), terms.hc().connectionId());
    }

    /** The one hand-over to a hold; a body-only answer ({@code noHold}) has no keep-alive. */
    private static HoldHandoff handoff(
            Terms terms, GripInstruct ins, HeldResponse held, List<HoldChannel> chans, boolean noHold) {
        return new HoldHandoff(
                terms.client(),
                held,
                new HoldHandoff.Instruction(
                        chans, ins.meta(), ins.timeoutSeconds(), noHold ? null : ins.keepAlive(), noHold),
                new HoldHandoff.Links(ins.nextLink(), ins.goneLink(), terms.rules()),
                terms.debug());
    }

    /** What the client sees of the origin's response: a JSON instruct's own response, Grip-Status applied. */
    private static HeldResponse heldResponse(HttpResponse r, byte[] body, GripInstruct ins) {
        int code = r.status().code();
        String reason = r.status().reasonPhrase();
        List<Map.Entry<String, String>> headers = Headers.list(r.headers());
        byte[] b = body;
        InstructResponse ir = ins.response();
        if (ir != null) {
            code = ir.code();
            reason = ir.reason();
            headers = ir.headers();
            b = ir.body();
        }
        if (ins.status() != null) {
            code = ins.status().code();
            reason = ins.status().reason();
        }
        return new HeldResponse(code, reason, Headers.cleanGripResponse(headers, ins.exposeHeaders()), b);
    }

    /** Why the instruction's response can't go on the wire (say, a CR in a header), or null when it can. */
    private static String unsendable(HeldResponse held) {
        try {
            new HttpResponseStatus(held.code(), held.reason());
            HttpHeaders h = new DefaultHttpHeaders();
            for (Map.Entry<String, String> e : held.headers()) {
                h.add(e.getKey(), e.getValue());
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "Error: " + e.getMessage();
        }
    }
}
