package dev.outpost.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Maps Pushpin's numeric {@code log_level} onto the logging backend, and picks a command's log format. */
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

    /**
     * Logs with the configuration in {@code resource} (a class path resource) instead of logback.xml: the formats of
     * the programs Outpost stands in for. Only takes effect before the first logger is made, which is when the
     * commands call it; tests that run them in-process keep their own configuration.
     */
    static void useConfiguration(String resource) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", resource);
        }
    }

    /** Sends what the console appenders of the root logger print to {@code file} instead; false when it fails. */
    static boolean logToFile(Path file) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LoggerContext context = root.getLoggerContext();
        List<ConsoleAppender<ILoggingEvent>> consoles = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof ConsoleAppender<ILoggingEvent> c
                    && c.getEncoder() instanceof PatternLayoutEncoder) {
                consoles.add(c);
            }
        }
        if (consoles.isEmpty()) {
            return false;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(((PatternLayoutEncoder) consoles.getFirst().getEncoder()).getPattern());
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            return false;
        }
        root.addAppender(appender);
        consoles.forEach(c -> root.detachAppender(c));
        return true;
    }
}
