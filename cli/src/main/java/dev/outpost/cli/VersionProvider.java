package dev.outpost.cli;

import picocli.CommandLine.IVersionProvider;

/** {@code --version} of every subcommand: {@link Version#lines()}. */
final class VersionProvider implements IVersionProvider {
    static String version() {
        return Version.version();
    }

    @Override
    public String[] getVersion() {
        return Version.lines();
    }
}
