package dev.outpost.cli;

import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

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
        if (args.length > 0 && args[0].equals("publish")) {
            PublishCommand.leanStart();
        }
        int code;
        try {
            code = run(args);
        } catch (Throwable e) {
            // An error picocli does not turn into an exit code (out of memory, or a class that no longer loads because
            // the jar was replaced under a running server) must still end the JVM: the servers' event loops would
            // otherwise keep it running after a stop that failed half way.
            e.printStackTrace();
            code = CommandLine.ExitCode.SOFTWARE;
        }
        System.exit(code);
    }

    /**
     * {@code outpost viceroy ...} and {@code outpost pushpin ...} take those programs' command lines (bin/viceroy and
     * bin/pushpin run them), with their own usage and log formats; everything else is the {@code outpost} command.
     */
    static int run(String[] args) {
        if (args.length > 0) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case ViceroyCommand.NAME -> {
                    return ViceroyCommand.execute(rest);
                }
                case PushpinCommand.NAME -> {
                    return PushpinCommand.execute(rest);
                }
                default -> {}
            }
        }
        return newCommandLine(args).execute(args);
    }

    /** The configured command line with every subcommand; {@code @FILE} stays a literal argument. */
    static CommandLine newCommandLine() {
        return newCommandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when the first word names a subcommand, only that one's model is built
     * (picocli reads every option of every subcommand it knows; {@code outpost publish} in a loop should not pay for
     * {@code serve}'s), else all of them, for help and for suggestions.
     */
    static CommandLine newCommandLine(String[] args) {
        var only = args.length > 0 ? OutpostCommand.SUBCOMMANDS.get(args[0]) : null;
        if (only != null) {
            Object sub = only.get();
            // A subcommand modelled in code (publish) gets a parent modelled in code too: reading the parent's
            // annotations would cost that command what its own model saves. The parent only names the command here.
            CommandLine cl = configure(new CommandLine(
                    sub instanceof CommandSpec ? CommandSpec.create().name("outpost") : new OutpostCommand()));
            cl.addSubcommand(configure(new CommandLine(sub)));
            return cl;
        }
        CommandLine cl = configure(new CommandLine(new OutpostCommand()));
        OutpostCommand.SUBCOMMANDS.values().forEach(s -> cl.addSubcommand(configure(new CommandLine(s.get()))));
        return cl;
    }

    private static CommandLine configure(CommandLine cl) {
        return cl.setCaseInsensitiveEnumValuesAllowed(true)
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
