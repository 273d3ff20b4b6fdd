package dev.outpost.cli;

import dev.outpost.edge.engine.Engines;
import dev.outpost.serve.ServeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options Viceroy 0.14's {@code serve} and {@code run} share, each either honoured or refused with the reason
 * ({@link #check()}), never silently dropped.
 */
final class ViceroySharedArgs {
    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "<INPUT>",
            description = "The Wasm program (binary; Fastly's build writes bin/main.wasm).")
    Path input;

    @Option(
            names = {"-C", "--config"},
            paramLabel = "CONFIG_PATH",
            description = "The fastly.toml whose [local_server] (backends, stores...) the program sees.")
    Path config;

    @Option(
            names = "--log-stdout",
            description = "Accepted: Outpost always shows the program's stdout as 'stdout :: ...' log lines.")
    boolean logStdout;

    @Option(
            names = "--log-stderr",
            description = "Accepted: Outpost always shows the program's stderr as 'stderr :: ...' log lines.")
    boolean logStderr;

    @Option(
            names = "--profile",
            paramLabel = "STRATEGY",
            description = "Refused: Outpost has no profiler (perfmap, jitdump, vtune, guest). 'fastly compute serve"
                    + " --profile-guest' passes --profile=guest,DIR.")
    String profile;

    @Option(
            names = "--local-pushpin-proxy-port",
            paramLabel = "PORT",
            description = "The port of the GRIP proxy (Pushpin, or Outpost's bin/pushpin) on 127.0.0.1 that Fanout"
                    + " handoffs go to. Without it a handoff answers 500, as in Viceroy.")
    Integer localPushpinProxyPort;

    @Option(
            names = "--enable-local-websocket-passthrough",
            paramLabel = "true|false",
            description = "Serve WebSocket handoffs to backends (default: true); false answers them with a 500.")
    String websocketPassthrough;

    @Option(
            names = "--experimental_modules",
            paramLabel = "MODULE",
            description = "Refused: wasi-nn is not available in Outpost.")
    List<String> experimentalModules = new ArrayList<>();

    @Option(
            names = "--unknown-import-behavior",
            paramLabel = "BEHAVIOR",
            description = "link-error (the default) is accepted; trap and zero-or-null are refused: Outpost links"
                    + " every import and answers a call to one it does not implement with Fastly's 'unsupported',"
                    + " logged once by name.")
    String unknownImportBehavior;

    @Option(
            names = "-v",
            description = "Verbosity: -v info (what 'fastly compute serve' passes), -vv debug, -vvv trace; without"
                    + " it, errors only.")
    boolean[] verbosity = new boolean[0];

    @Option(names = "--adapt", description = "Accepted: core modules run as they are, without adapting them.")
    boolean adapt;

    @Option(
            names = "--engine",
            paramLabel = "ENGINE",
            description = "Outpost's Wasm engine: graalwasm (default) or chicory. Not a Viceroy option; pass it with"
                    + " 'fastly compute serve --viceroy-args=\"--engine=chicory\"'.")
    String engine;

    /** Refuses what cannot be honoured; every message names the option, the value and what to do instead. */
    void check() throws ServeException {
        if (input == null) {
            throw new ServeException(
                    2,
                    "the following required argument was not provided: <INPUT> (expected: the Wasm program, e.g."
                            + " bin/main.wasm)");
        }
        if (profile != null) {
            throw new ServeException(
                    2,
                    "--profile " + profile + ": not supported by Outpost (its Wasm engines have no profiler); run"
                            + " without --profile (or without 'fastly compute serve --profile-guest')");
        }
        for (String module : experimentalModules) {
            String m = module.strip().toLowerCase(Locale.ROOT);
            if (m.equals("wasi-nn")) {
                throw new ServeException(2, "--experimental_modules wasi-nn: not supported by Outpost; run without it");
            }
            throw new ServeException(2, "--experimental_modules " + module + ": unknown module (expected: wasi-nn)");
        }
        if (unknownImportBehavior != null) {
            switch (unknownImportBehavior.strip()) {
                case "link-error" -> {}
                case "trap", "zero-or-null" ->
                    throw new ServeException(
                            2,
                            "--unknown-import-behavior " + unknownImportBehavior + ": not supported by Outpost: it"
                                    + " links every import and answers a call to one it does not implement with"
                                    + " Fastly's 'unsupported' (logged once by name); run without this option");
                default ->
                    throw new ServeException(
                            2,
                            "--unknown-import-behavior " + unknownImportBehavior
                                    + ": unknown value (expected: link-error, trap or zero-or-null)");
            }
        }
        if (localPushpinProxyPort != null && (localPushpinProxyPort < 1 || localPushpinProxyPort > 65535)) {
            throw new ServeException(
                    2, "--local-pushpin-proxy-port " + localPushpinProxyPort + ": not a port (expected: 1-65535)");
        }
        websocketPassthrough();
        engine();
    }

    int pushpinProxyPort() {
        return localPushpinProxyPort == null ? 0 : localPushpinProxyPort;
    }

    boolean websocketPassthrough() throws ServeException {
        if (websocketPassthrough == null) {
            return true;
        }
        return switch (websocketPassthrough.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default ->
                throw new ServeException(
                        2,
                        "--enable-local-websocket-passthrough " + websocketPassthrough
                                + ": not a boolean (expected: true or false)");
        };
    }

    String engine() throws ServeException {
        if (engine == null) {
            return Engines.DEFAULT;
        }
        if (!Engines.names().contains(engine)) {
            throw new ServeException(
                    2, "--engine " + engine + ": unknown engine (expected: one of " + Engines.names() + ")");
        }
        return engine;
    }

    Path input() {
        return input;
    }

    /** Viceroy's levels: none errors only, -v info, -vv debug, -vvv trace. */
    void applyVerbosity() {
        int pushpinLevel = switch (verbosity.length) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            default -> 4;
        };
        Logging.setLevel(pushpinLevel);
    }
}
