package dev.outpost.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "outpost",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A local real-time edge stack: a GRIP proxy and a Compute server in one JVM.",
        subcommands = {ServeCommand.class, RunCommand.class, ProxyCommand.class, PublishCommand.class},
        footer = {
            "",
            "outpost viceroy ARGS and outpost pushpin ARGS take Viceroy's and Pushpin's command lines (bin/viceroy and"
                    + " bin/pushpin run them), so that 'fastly compute serve' runs Outpost in their place."
        })
final class OutpostCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
