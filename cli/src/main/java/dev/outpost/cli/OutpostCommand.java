package dev.outpost.cli;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
        name = "outpost",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A local real-time edge stack: a GRIP proxy and a Compute server in one JVM.",
        footer = {
            "",
            "outpost viceroy ARGS and outpost pushpin ARGS take Viceroy's and Pushpin's command lines (bin/viceroy and"
                    + " bin/pushpin run them), so that 'fastly compute serve' runs Outpost in their place."
        })
final class OutpostCommand implements Runnable {
    /**
     * The subcommands, in the order help lists them; each is made only when it is needed (see {@link Main}): a
     * command object picocli reads the annotations of, or a model built in code.
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("serve", ServeCommand::new);
        m.put("run", RunCommand::new);
        m.put("proxy", ProxyCommand::new);
        m.put("publish", () -> PublishCommand.spec(new PublishCommand()));
        return Collections.unmodifiableMap(m);
    }

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
