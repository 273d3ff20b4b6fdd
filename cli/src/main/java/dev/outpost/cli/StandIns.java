package dev.outpost.cli;

import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;

/**
 * What the commands standing in for other programs ({@code pushpin}, {@code viceroy}) share: usage errors in that
 * program's words, and an end as that program's (the JVM's shutdown closes what runs; no signal handling of our own,
 * unlike {@link StopSignal}).
 */
final class StandIns {
    private StandIns() {}

    /**
     * {@code command}'s command line: no {@code @file} expansion, and a usage error printed as {@code prefix},
     * picocli's message and {@code suffix}, with exit code 2.
     */
    static CommandLine commandLine(Object command, String prefix, String suffix) {
        CommandLine cl = new CommandLine(command).setExpandAtFiles(false);
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println(prefix + e.getMessage() + suffix);
            return 2;
        });
        return cl;
    }

    /** Blocks until the JVM shuts down; its shutdown hook (thread {@code name}) runs {@code close} first. */
    static void closeAtExit(Runnable close, String name) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            close.run();
                            stopped.countDown();
                        },
                        name));
        stopped.await();
    }
}
