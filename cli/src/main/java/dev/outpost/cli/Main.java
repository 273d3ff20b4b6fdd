package dev.outpost.cli;

import picocli.CommandLine;

/** Entry point of the {@code outpost} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // `outpost --version` answers without building the command model: scripts call it to check what is installed,
        // and it should cost a JVM start and nothing more (issue #18).
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            for (String line : Version.lines()) {
                System.out.println(line);
            }
            System.exit(0);
        }
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; {@code @FILE} stays a literal argument ({@code outpost publish} reads it). */
    static CommandLine newCommandLine() {
        return new CommandLine(new OutpostCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExpandAtFiles(false)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // Nothing a command did not foresee reaches the user as a stack trace: the message, and the
                    // trace in the debug log.
                    Messages.debug("outpost " + cmd.getCommandName() + " failed", e);
                    boolean verbose = cmd.getCommandSpec().findOption("--verbose") != null;
                    cmd.getErr().println("outpost: " + Messages.of(e) + (verbose ? " (details with --verbose)" : ""));
                    cmd.getErr().flush();
                    return 1;
                });
    }
}
