package dev.outpost.cli;

import picocli.CommandLine;

/** Entry point of the {@code outpost} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = new CommandLine(new OutpostCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(code);
    }
}
