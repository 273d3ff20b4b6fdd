package dev.outpost.edge.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the edge server logs (its request lines and guest errors), captured for a test to check why a request ended as
 * it did: the cause a user would read, rather than how long it took.
 */
public final class ServerLog implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(EdgeServer.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private ServerLog() {
        appender.start();
        logger.addAppender(appender);
    }

    /** Captures from now until {@link #close()}. */
    public static ServerLog capture() {
        return new ServerLog();
    }

    /** The formatted messages so far. */
    public List<String> messages() {
        // AppenderBase appends under the appender's own monitor.
        synchronized (appender) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
