package dev.outpost.grip.instruct;

import dev.outpost.grip.internal.HeaderText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the GRIP instruction of one origin response: the {@code Grip-*} headers and, for
 * {@code Content-Type: application/grip-instruct}, the JSON body. A pure function of status, headers and body.
 */
public final class GripInstructParser {
    public static final String INSTRUCT_CONTENT_TYPE = "application/grip-instruct";
    /** Most filters one channel subscription may have. */
    public static final int MAX_FILTERS = 5;

    private GripInstructParser() {}

    /** True when any header name starts with {@code Grip-} or the content type is {@code application/grip-instruct}. */
    public static boolean isGrip(Iterable<? extends Map.Entry<String, String>> responseHeaders) {
        for (Map.Entry<String, String> h : responseHeaders) {
            String name = h.getKey();
            if (isGripHeader(name)) {
                return true;
            }
            if (name.equalsIgnoreCase("Content-Type") && isInstructType(h.getValue())) {
                return true;
            }
        }
        return false;
    }

    /** True for {@code application/grip-instruct}, parameters ignored. */
    public static boolean isInstructType(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
        return t.equalsIgnoreCase(INSTRUCT_CONTENT_TYPE);
    }

    /** True for header names the proxy must not relay to the client ({@code Grip-*}). */
    public static boolean isGripHeader(String name) {
        return name.regionMatches(true, 0, "Grip-", 0, 5);
    }

    /**
     * Parses the instruction.
     *
     * <p>For {@code application/grip-instruct} content {@link GripInstruct#response()} is never {@code null}: it is
     * what the client receives instead of the origin's response (code and reason already merged with
     * {@code Grip-Status}; headers and body only from the JSON). Otherwise it is {@code null} and the origin's
     * response is relayed, minus {@code Grip-*} headers and filtered by {@code Grip-Expose-Headers}.
     *
     * @param status          the origin's status code
     * @param responseHeaders the origin's headers in wire order; values either as an HTTP codec delivers them (one
     *                        char per byte, read as UTF-8 here like Pushpin does) or as Unicode text
     * @param body            the origin's body (only read for {@code application/grip-instruct})
     * @throws GripInstructException naming the header (or JSON field) and the bad value
     */
    public static GripInstruct parse(int status, List<Map.Entry<String, String>> responseHeaders, byte[] body)
            throws GripInstructException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        if (responseHeaders != null) {
            for (Map.Entry<String, String> h : responseHeaders) {
                // keep-alive data is bytes, everything else is text
                headers.add(
                        h.getKey().equalsIgnoreCase("Grip-Keep-Alive")
                                ? h
                                : Map.entry(h.getKey(), HeaderText.text(h.getValue())));
            }
        }

        HoldMode hold = InstructHeaders.parseHold(HeaderParams.first(headers, "Grip-Hold"));
        List<GripChannel> channels = InstructHeaders.parseChannels(HeaderParams.values(headers, "Grip-Channel", true));
        int timeout = InstructHeaders.parseTimeout(HeaderParams.first(headers, "Grip-Timeout"));
        List<String> expose = InstructHeaders.parseExpose(HeaderParams.values(headers, "Grip-Expose-Headers", true));
        KeepAlive keepAlive = InstructHeaders.parseKeepAlive(HeaderParams.first(headers, "Grip-Keep-Alive"));
        Map<String, String> meta = InstructHeaders.parseMeta(HeaderParams.values(headers, "Grip-Set-Meta", true));
        GripStatus gripStatus = InstructHeaders.parseStatus(HeaderParams.first(headers, "Grip-Status"));
        NextLink next = null;
        String gone = null;
        for (String element : HeaderParams.values(headers, "Grip-Link", true)) {
            InstructHeaders.Link link = InstructHeaders.parseLink(element);
            if (link == null) {
                continue;
            }
            if ("next".equals(link.rel())) {
                next = new NextLink(link.uri(), link.timeout());
            } else if ("gone".equals(link.rel())) {
                gone = link.uri();
            }
        }

        InstructResponse response = null;
        String contentType = HeaderParams.first(headers, "Content-Type");
        if (isInstructType(contentType)) {
            InstructBody.JsonInstruct j = InstructBody.parse(status, body == null ? new byte[0] : body, gripStatus);
            if (j.hold != null) {
                hold = j.hold;
                channels = j.channels;
                if (j.timeout != null) {
                    timeout = j.timeout;
                }
                if (j.keepAliveSet) {
                    keepAlive = j.keepAlive;
                }
                meta.putAll(j.meta);
            }
            response = j.response;
        }

        return new GripInstruct(
                hold,
                channels,
                Math.max(timeout, GripInstruct.MIN_TIMEOUT),
                keepAlive,
                gripStatus,
                next,
                gone,
                meta,
                response,
                expose);
    }
}
