package dev.outpost.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Maps Pushpin's numeric {@code log_level} onto the logging backend. */
final class Logging {
    private Logging() {}

    /** Pushpin's levels: 0 error, 1 warning, 2 info (default), 3 debug, 4 and up trace. */
    static void setLevel(int pushpinLevel) {
        Level level = level(pushpinLevel);
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(level);
        Logger outpost = (Logger) LoggerFactory.getLogger("dev.outpost");
        outpost.setLevel(level);
    }

    /** One logger's level, Pushpin's numbers as above. */
    static void setLevel(String logger, int pushpinLevel) {
        ((Logger) LoggerFactory.getLogger(logger)).setLevel(level(pushpinLevel));
    }

    /** Back to the level of the logger's parent. */
    static void inherit(String logger) {
        ((Logger) LoggerFactory.getLogger(logger)).setLevel(null);
    }

    private static Level level(int pushpinLevel) {
        return switch (Math.max(0, Math.min(pushpinLevel, 4))) {
            case 0 -> Level.ERROR;
            case 1 -> Level.WARN;
            case 2 -> Level.INFO;
            case 3 -> Level.DEBUG;
            default -> Level.TRACE;
        };
    }
}
