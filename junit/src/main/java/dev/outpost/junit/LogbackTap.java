package dev.outpost.junit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Copies what Outpost's loggers ({@code dev.outpost.*}) log at INFO and above into a {@link LogBuffer}, whatever
 * levels the test project configured (a turbo filter sees each call before the level check), without changing what
 * the project's own appenders print. Lines guarded by {@code isDebugEnabled()} are built while the tap is attached.
 * Loaded only when Logback is the SLF4J backend.
 */
final class LogbackTap extends TurboFilter {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final LogBuffer buffer;

    private LogbackTap(LogBuffer buffer) {
        this.buffer = buffer;
    }

    /** True when SLF4J logs through Logback here. */
    static boolean available() {
        try {
            Class.forName("ch.qos.logback.classic.LoggerContext", false, LogbackTap.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext;
    }

    /** Starts copying into {@code buffer}; the returned handle stops it. */
    static AutoCloseable attach(LogBuffer buffer) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogbackTap tap = new LogbackTap(buffer);
        tap.setName("outpost-junit");
        tap.start();
        context.addTurboFilter(tap);
        return () -> {
            context.getTurboFilterList().remove(tap);
            tap.stop();
        };
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (!level.isGreaterOrEqual(Level.DEBUG) || !logger.getName().startsWith("dev.outpost")) {
            return FilterReply.NEUTRAL;
        }
        if (format == null) {
            // an isInfoEnabled()-style check: say yes, so a guarded line is built and comes through here; whether
            // the project's appenders print it is still up to its levels (NEUTRAL below)
            return FilterReply.ACCEPT;
        }
        var formatted = MessageFormatter.arrayFormat(format, params, t);
        Throwable thrown = t != null ? t : formatted.getThrowable();
        String name = logger.getName();
        buffer.add(LocalTime.now().format(TIME) + " " + level + " " + name.substring(name.lastIndexOf('.') + 1) + " ["
                + Thread.currentThread().getName() + "] " + formatted.getMessage()
                + (thrown == null ? "" : " (" + thrown + ")"));
        return FilterReply.NEUTRAL;
    }
}
