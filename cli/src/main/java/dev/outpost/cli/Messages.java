package dev.outpost.cli;

import dev.outpost.serve.Failures;
import org.slf4j.LoggerFactory;

/**
 * What a user sees of an exception: its message, never a class name or a stack trace; those go to the debug log
 * ({@code --verbose}, or {@code --loglevel 3} for {@code proxy}). Logging starts only when something is logged, so
 * commands that never log ({@code publish}, {@code --version}) never pay for it.
 */
final class Messages {
    private Messages() {}

    /** The exception's message without class names, or a plain description when it has none. */
    static String of(Throwable e) {
        return Failures.message(e);
    }

    /** Logs {@code e} with its stack trace at debug level. */
    static void debug(String what, Throwable e) {
        LoggerFactory.getLogger("dev.outpost.cli").debug(what, e);
    }
}
