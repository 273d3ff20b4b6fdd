package dev.outpost.cli;

import picocli.CommandLine;

/** Entry point of the {@code outpost} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The configured command line; {@code @FILE} stays a literal argument ({@code outpost publish} reads it). */
    static CommandLine newCommandLine() {
        return new CommandLine(new OutpostCommand())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExpandAtFiles(false);
    }
}
