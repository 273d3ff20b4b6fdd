package dev.outpost.grip.instruct;

import java.util.List;
import java.util.Map;

/** Reads the GRIP instruction of one origin response. Pure function of status, headers and body. */
public final class GripInstructParser {
    public static final String INSTRUCT_CONTENT_TYPE = "application/grip-instruct";

    private GripInstructParser() {
    }

    /** True when any header name starts with {@code Grip-} or the content type is {@code application/grip-instruct}. */
    public static boolean isGrip(List<Map.Entry<String, String>> responseHeaders) {
        for (Map.Entry<String, String> h : responseHeaders) {
            String name = h.getKey();
            if (name.regionMatches(true, 0, "Grip-", 0, 5)) {
                return true;
            }
            if (name.equalsIgnoreCase("Content-Type") && isInstructType(h.getValue())) {
                return true;
            }
        }
        return false;
    }

    static boolean isInstructType(String contentType) {
        int semi = contentType.indexOf(';');
        String t = (semi >= 0 ? contentType.substring(0, semi) : contentType).trim();
        return t.equalsIgnoreCase(INSTRUCT_CONTENT_TYPE);
    }

    public static GripInstruct parse(int status, List<Map.Entry<String, String>> responseHeaders, byte[] body)
            throws GripInstructException {
        return GripInstruct.none();
    }
}
