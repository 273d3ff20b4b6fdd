package dev.outpost.proxy.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger writes at a level or above, while open. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;

    public LogCapture(Class<?> loggerOf, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerOf);
        this.level = level;
        appender.start();
        logger.addAppender(appender);
    }

    /** The messages so far, formatted. */
    public List<String> lines() {
        List<ILoggingEvent> events;
        // AppenderBase appends while holding the appender's lock
        synchronized (appender) {
            events = List.copyOf(appender.list);
        }
        return events.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(level))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
