package dev.outpost.serve;

import dev.outpost.proxy.server.PortHolder;
import java.net.BindException;
import java.util.regex.Pattern;

/** Exceptions as users read them: a message without Java class names (the trace goes to the debug log). */
public final class Failures {
    /** A class name where a wrapping exception put its cause's {@code toString()}: "java.net.BindException: ". */
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\b(?:[a-z][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error)\\b(?::\\s*)?");

    private Failures() {}

    /** The first message in the cause chain, without class names; a plain phrase when there is none. */
    public static String message(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank()) {
                String clean = CLASS_NAME.matcher(m).replaceAll("").strip();
                if (!clean.isEmpty()) {
                    return clean;
                }
            }
        }
        return "an unexpected error";
    }

    /** True when {@code e} is a listener that could not bind (JDK or native transport). */
    static boolean isBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        String reason = PortHolder.bindReason(e);
        return reason.equals("address already in use")
                || reason.startsWith("permission denied")
                || reason.equals("no such local address");
    }
}
