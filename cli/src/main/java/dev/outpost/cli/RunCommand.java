package dev.outpost.cli;

import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.server.EdgeRunner;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost run}: a program's {@code _start} once, as {@code viceroy run} (a test runner for Wasm tests). */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Run a Compute program's _start once with a placeholder request, as 'viceroy run' does;"
                + " its stdout and stderr pass through and its exit code is the command's.",
        footer = {"", "Example: outpost run bin/main.wasm -- --some-arg"})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "WASM", description = "The Wasm program.")
    Path wasm;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the program.")
    List<String> args = new ArrayList<>();

    @Option(
            names = {"-C", "--config"},
            paramLabel = "FILE",
            description = "fastly.toml for backends and stores.")
    Path manifest;

    @Option(
            names = "--engine",
            paramLabel = "ENGINE",
            defaultValue = Engines.DEFAULT,
            description = "Wasm engine: graalwasm or chicory. Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(
            names = "--memory-limit",
            paramLabel = "SIZE",
            defaultValue = "512MiB",
            converter = SizeConverter.class,
            description = "Linear memory the guest may grow to before it is stopped. Default: ${DEFAULT-VALUE}.")
    long memoryLimit;

    @Override
    public Integer call() {
        if (memoryLimit < (1L << 20)) {
            System.err.println("outpost: --memory-limit: " + memoryLimit + " bytes (expected: at least 1MiB)");
            return 2;
        }
        if (!Engines.names().contains(engine)) {
            System.err.println("outpost: --engine: " + engine + " (expected: one of " + Engines.names() + ")");
            return 2;
        }
        if (!Files.isRegularFile(wasm)) {
            System.err.println("outpost: wasm: " + wasm + ": not found (expected: a Wasm program)");
            return 2;
        }
        LocalServerConfig local = LocalServerConfig.empty();
        if (manifest != null) {
            try {
                local = FastlyTomlParser.read(manifest).localServer();
            } catch (FastlyTomlException e) {
                System.err.println("outpost: " + e.getMessage());
                return 2;
            }
        }
        try {
            EdgeRunner.Result result = EdgeRunner.run(wasm, args, engine, local, memoryLimit, System.out, System.err);
            if (result.trap() != null) {
                System.err.println("outpost: " + wasm.getFileName() + " trapped: " + result.trap());
            }
            System.out.flush();
            return result.exitCode();
        } catch (UncheckedIOException e) {
            System.err.println("outpost: " + e.getMessage());
            return 1;
        }
    }
}
