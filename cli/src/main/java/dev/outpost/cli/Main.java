package dev.outpost.cli;

import java.util.Arrays;
import picocli.CommandLine;

/** Entry point of the {@code outpost} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
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
        return newCommandLine().execute(args);
    }

    /** The configured command line; {@code @FILE} stays a literal argument ({@code outpost publish} reads it). */
    static CommandLine newCommandLine() {
        return new CommandLine(new OutpostCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExpandAtFiles(false);
    }
}
