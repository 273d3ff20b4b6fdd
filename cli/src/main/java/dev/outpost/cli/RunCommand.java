package dev.outpost.cli;

import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeRunner;
import dev.outpost.proxy.config.FileErrors;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    EngineOptions guest;

    @Override
    public Integer call() {
        String problem = guest.problem();
        if (problem != null) {
            System.err.println("outpost: " + problem);
            return 2;
        }
        String unreadable = FileErrors.unreadable("wasm:", wasm, "a Wasm program");
        if (unreadable != null) {
            System.err.println("outpost: " + unreadable);
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
            EdgeRunner.Result result =
                    EdgeRunner.run(wasm, args, guest.engine, local, guest.memoryLimit, System.out, System.err);
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
