package dev.outpost.cli;

import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeRunner;
import dev.outpost.serve.ServeException;
import dev.outpost.serve.ServeOptions;
import dev.outpost.serve.standin.ViceroyOptions;
import dev.outpost.serve.standin.ViceroyStandIn;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost viceroy} ({@code bin/viceroy}): Viceroy's command line, served by Outpost's Compute server, so that
 * {@code fastly compute serve} runs Outpost where it would run Viceroy. The options are Viceroy 0.14's (plus
 * {@code --enable-local-websocket-passthrough}, which the Fastly CLI 16 passes); those Outpost cannot honour are
 * refused with the reason. The options become a {@link ViceroyOptions}; serving is {@link ViceroyStandIn}'s.
 */
@Command(
        name = "viceroy",
        mixinStandardHelpOptions = true,
        versionProvider = ViceroyCommand.Version.class,
        subcommands = {ViceroyCommand.Serve.class, ViceroyCommand.Run.class, ViceroyCommand.Adapt.class},
        description = {
            "Outpost standing in for Viceroy, Fastly's local Compute server: serves a Compute program on --addr as"
                    + " 'viceroy' does, with Outpost's Wasm engine. Without a subcommand it serves.",
            "'fastly compute serve' runs it in Viceroy's place with --viceroy-path " + ViceroyCommand.LAUNCHER
                    + ", or with FASTLY_VICEROY_USE_PATH=1 and Outpost's bin/ first on PATH.",
            "Fanout handoffs go to the GRIP proxy on --local-pushpin-proxy-port (Pushpin, or Outpost's"
                    + " bin/pushpin); without it they answer Viceroy's 500.",
            ""
        },
        footer = {
            "",
            "Exit codes: 0 stopped normally, 1 failed at run time, 2 bad usage or an option Outpost cannot honour.",
            "Example:",
            "  fastly compute serve --viceroy-path <outpost>/bin/viceroy --pushpin-path <outpost>/bin/pushpin"
        })
final class ViceroyCommand implements Callable<Integer> {
    static final String NAME = "viceroy";
    static final String LAUNCHER = "<outpost>/bin/viceroy";
    /** The Viceroy release whose command line this one takes; the Fastly CLI reads the second word. */
    static final String VICEROY_VERSION = "0.14.4";

    @Mixin
    ViceroyServeArgs serve;

    /** Runs {@code args} (without the leading {@code viceroy}); returns the exit code. */
    static int execute(String[] args) {
        Logging.useConfiguration("logback-viceroy.xml");
        return commandLine().execute(args);
    }

    /** The configured command line: Viceroy's usage errors, {@code run}'s arguments after the program. */
    static CommandLine commandLine() {
        CommandLine cl = StandIns.commandLine(
                new ViceroyCommand(), "viceroy: ", " (Outpost takes Viceroy 0.14's options: see viceroy --help)");
        cl.getSubcommands().get("run").setStopAtPositional(true);
        return cl;
    }

    @Override
    public Integer call() throws InterruptedException {
        return serve.serve();
    }

    /** {@code viceroy serve}: the same as no subcommand. */
    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            versionProvider = ViceroyCommand.Version.class,
            description = "Run the Wasm program in a local server (the default without a subcommand).")
    static final class Serve implements Callable<Integer> {
        @Mixin
        ViceroyServeArgs serve;

        @Override
        public Integer call() throws InterruptedException {
            return serve.serve();
        }
    }

    /** {@code viceroy run}: the program's {@code _start} once, as a test runner. */
    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            versionProvider = ViceroyCommand.Version.class,
            description = "Run the Wasm program's _start once and exit with its exit code (134 after a trap).")
    static final class Run implements Callable<Integer> {
        @Mixin
        ViceroySharedArgs shared;

        @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments for the program.")
        List<String> wasmArgs = new ArrayList<>();

        @Override
        public Integer call() {
            shared.applyVerbosity();
            try {
                shared.check();
                Path wasm = shared.input();
                ViceroyStandIn.checkProgram(wasm);
                LocalServerConfig local = ViceroyStandIn.readManifest(shared.config);
                EdgeRunner.Result r = EdgeRunner.run(wasm, wasmArgs, shared.engine(), local, System.out, System.err);
                System.out.flush();
                if (r.trap() != null) {
                    System.err.println("viceroy: " + wasm.getFileName() + " trapped: " + r.trap());
                    // Viceroy's exit code after a trap: that of an abort (128 + SIGABRT).
                    return 134;
                }
                return r.exitCode();
            } catch (ServeException e) {
                System.err.println("viceroy: " + e.getMessage());
                return e.exitCode();
            } catch (UncheckedIOException e) {
                System.err.println("viceroy: " + e.getMessage());
                return 1;
            }
        }
    }

    /** {@code viceroy adapt}: refused; Outpost runs core modules as they are. */
    @Command(
            name = "adapt",
            mixinStandardHelpOptions = true,
            versionProvider = ViceroyCommand.Version.class,
            description = "Not supported: Outpost runs core Wasm modules as they are and makes no components.")
    static final class Adapt implements Callable<Integer> {
        @Parameters(arity = "0..*", paramLabel = "ARGS", hidden = true)
        List<String> ignored = new ArrayList<>();

        @CommandLine.Option(names = "-o", paramLabel = "OUTPUT", hidden = true)
        String output;

        @CommandLine.Option(names = "-v", hidden = true)
        boolean[] verbosity;

        @Override
        public Integer call() {
            System.err.println("viceroy: adapt: not supported by Outpost: it runs core Wasm modules as they are and"
                    + " does not make components (use Viceroy's adapt, or wasm-tools component new)");
            return 2;
        }
    }

    /** {@code viceroy --version}: Viceroy's format ({@code viceroy X.Y.Z}), naming Outpost after it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"viceroy " + VICEROY_VERSION + " (Outpost " + VersionProvider.version() + ")"};
        }
    }

    /** The serve arguments: {@code --addr} and the shared ones. */
    static final class ViceroyServeArgs {
        @CommandLine.Option(
                names = "--addr",
                paramLabel = "ADDR",
                defaultValue = "127.0.0.1:7676",
                description = "The IP address and port to serve on. Default: ${DEFAULT-VALUE}.")
        String addr;

        @Mixin
        ViceroySharedArgs shared;

        /** The options, checked; refusals carry exit code 2 and the reason. */
        ViceroyOptions options() throws ServeException {
            shared.check();
            return new ViceroyOptions(
                    shared.input(),
                    shared.config,
                    ServeOptions.parseAddress(addr),
                    shared.pushpinProxyPort(),
                    shared.websocketPassthrough(),
                    shared.engine());
        }

        int serve() throws InterruptedException {
            shared.applyVerbosity();
            ViceroyStandIn standIn;
            try {
                standIn = ViceroyStandIn.start(options());
            } catch (ServeException e) {
                System.err.println("viceroy: " + e.getMessage());
                return e.exitCode();
            }
            StandIns.closeAtExit(standIn::close, "viceroy-shutdown");
            return 0;
        }
    }
}
