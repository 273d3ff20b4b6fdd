package dev.outpost.cli;

import dev.outpost.edge.server.EdgeLimits;
import dev.outpost.serve.ServeException;
import dev.outpost.serve.ServeOptions;
import dev.outpost.serve.ServeSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost serve}: a Compute project served locally, with Fanout, as {@code fastly compute serve} does. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
            "Build and serve a Fastly Compute project locally (what 'fastly compute serve' does with Viceroy).",
            "With [local_server.pushpin] enable = true in fastly.toml (or --experimental-enable-pushpin), Fanout"
                    + " handoffs go to a GRIP proxy with one route per [local_server.backends] entry."
        },
        footer = {
            "",
            "Limits: docs/limits.md (section Edge) lists each, with what a refusal says.",
            "Exit codes: 0 stopped normally (SIGTERM or Ctrl-C), 1 failed at run time, 2 bad configuration or usage.",
            "Example: outpost serve examples/fanout-starter"
        })
final class ServeCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "The project folder (with fastly.toml). Default: the current folder.")
    Path dir;

    @Option(
            names = {"-C", "--config"},
            paramLabel = "FILE",
            description = "fastly.toml to use instead of DIR/fastly.toml.")
    Path manifest;

    @Option(
            names = "--addr",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:7676",
            description = "Where the Compute server listens. Default: ${DEFAULT-VALUE}.")
    String addr;

    @Option(
            names = "--file",
            paramLabel = "WASM",
            description = "The Wasm program to serve (no build). Default: DIR/bin/main.wasm, built first with the"
                    + " manifest's [scripts] build.")
    Path file;

    @Option(names = "--skip-build", description = "Serve DIR/bin/main.wasm as it is.")
    boolean skipBuild;

    @Option(
            names = "--force-build",
            description = "Build even when the project's files are those of the last build (by default the build is"
                    + " skipped then; bin/.outpost-build records what was built).")
    boolean forceBuild;

    @Mixin
    EngineOptions guest;

    @Option(
            names = "--experimental-enable-pushpin",
            description = "Enable Fanout (a GRIP proxy for handoffs) even if fastly.toml does not.")
    boolean enablePushpin;

    @Option(
            names = "--pushpin-proxy-port",
            paramLabel = "PORT",
            description = "The GRIP proxy's client port. Default: [local_server.pushpin] proxy_port, else 7677 (a free"
                    + " port when 7677 is taken).")
    String pushpinProxyPort;

    @Option(
            names = "--pushpin-publish-port",
            paramLabel = "PORT",
            description = "The GRIP proxy's publish port. Default: [local_server.pushpin] publish_port, else 5561 (a"
                    + " free port when 5561 is taken, say by `outpost proxy`).")
    String pushpinPublishPort;

    @Option(
            names = "--pushpin-path",
            paramLabel = "PATH",
            description = "Run this Pushpin binary instead of the in-process GRIP proxy."
                    + " Default: [local_server.pushpin] pushpin_path.")
    String pushpinPath;

    @Option(
            names = "--inspector-port",
            paramLabel = "[ADDR:]PORT|off",
            description = "Live inspector and Prometheus /metrics of the in-process GRIP proxy (edge requests"
                    + " included). Default: 127.0.0.1:7678 (a free port when it is taken); 0 picks a free port, 'off'"
                    + " turns it off.")
    String inspectorPort;

    @Option(
            names = "--max-guests",
            paramLabel = "N",
            defaultValue = "" + EdgeLimits.DEFAULT_MAX_GUESTS,
            description = "Guest runs at once; more requests wait for one. Default: ${DEFAULT-VALUE}.")
    int maxGuests;

    @Option(
            names = "--guest-queue",
            paramLabel = "N",
            defaultValue = "" + EdgeLimits.DEFAULT_GUEST_QUEUE,
            description = "Requests that may wait for a guest run; past it they get 503. Default: ${DEFAULT-VALUE}.")
    int guestQueue;

    @Option(
            names = "--guest-cpus",
            paramLabel = "N",
            description = "Guest runs on the CPU at once, of those --max-guests allows; a run waiting in a hostcall"
                    + " (for a backend, a body, a cache entry) lets another one on. Default: one per core while the JIT"
                    + " compiler works, two per core once it is idle.")
    Integer guestCpus;

    @Option(
            names = "--guest-time-limit",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "How long one guest run may take; past it the guest is stopped and its request gets 500"
                    + " (waiting for a reused sandbox's next request does not count). Default: ${DEFAULT-VALUE}.")
    long guestTimeLimit;

    @Option(
            names = "--request-body-buffer",
            paramLabel = "SIZE",
            defaultValue = "1MiB",
            converter = SizeConverter.class,
            description = "Unread request body held in memory; past it reading from the client pauses until the guest"
                    + " reads. Default: ${DEFAULT-VALUE}.")
    long requestBodyBuffer;

    @Option(
            names = "--handoff-body-limit",
            paramLabel = "SIZE",
            defaultValue = "1MiB",
            converter = SizeConverter.class,
            description = "Request body kept for a Fanout or WebSocket handoff; a handoff of a longer one gets 413."
                    + " Default: ${DEFAULT-VALUE}.")
    long handoffBodyLimit;

    @Option(names = "--watch", description = "Rebuild and reload on change (held connections stay open).")
    boolean watch;

    @Option(
            names = "--cache-size",
            paramLabel = "SIZE",
            description = "The most the app's cache (core, simple, HTTP and readthrough) holds in memory before it"
                    + " evicts the least recently used: 512k, 64m, 1g. Default: 64m.")
    String cacheSize;

    @Option(
            names = "--no-readthrough-cache",
            description = "Send backend requests straight to the backend, as Viceroy does, instead of through the"
                    + " readthrough HTTP cache that Fastly puts in front of every send/fetch (on by default).")
    boolean noReadthroughCache;

    @Option(
            names = "--clear-cache-on-reload",
            description = "With --watch: empty the cache when the program is reloaded (by default it is kept).")
    boolean clearCacheOnReload;

    @Option(names = "--verbose", description = "Debug logging.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        StopSignal signals = StopSignal.install();
        if (verbose) {
            Logging.setLevel(3);
        } else {
            // Their start-up lines (loading, listening) are what the progress lines and the banner say; printed
            // as well, they land between the progress lines. The Compute server's request lines come after.
            Logging.setLevel("dev.outpost.edge.server.EdgeServer", 1);
            Logging.setLevel("dev.outpost.proxy.OutpostProxy", 1);
        }
        ServeSession session;
        try {
            String problem = guest.problem();
            if (problem != null) {
                throw new ServeException(2, problem);
            }
            EdgeLimits limits;
            try {
                if (requestBodyBuffer > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(
                            "--request-body-buffer: " + requestBodyBuffer + " bytes (expected: at most 2GiB)");
                }
                limits = new EdgeLimits(maxGuests, guestQueue, (int) requestBodyBuffer, handoffBodyLimit);
                if (guestCpus != null) {
                    limits = limits.withGuestCpus(guestCpus);
                }
                if (guestTimeLimit < 1) {
                    throw new IllegalArgumentException(
                            "--guest-time-limit: " + guestTimeLimit + " (expected: at least 1 second)");
                }
            } catch (IllegalArgumentException e) {
                throw new ServeException(2, e.getMessage());
            }
            ServeOptions options = ServeOptions.builder(dir)
                    .manifest(manifest)
                    .address(ServeOptions.parseAddress(addr))
                    .wasm(file)
                    .skipBuild(skipBuild)
                    .forceBuild(forceBuild)
                    .engine(guest.engine)
                    .pushpin(enablePushpin, pushpinProxyPort, pushpinPublishPort, pushpinPath)
                    .watch(watch)
                    .inspectorPort(inspectorPort)
                    .cache(cacheSize, !noReadthroughCache, clearCacheOnReload)
                    .guests(limits, guest.memoryLimit, Duration.ofSeconds(guestTimeLimit))
                    .build();
            session = ServeSession.start(options, System.out, System.err);
            if (!verbose) {
                // from now on its lines are the requests, one each
                Logging.inherit("dev.outpost.edge.server.EdgeServer");
            }
        } catch (ServeException e) {
            Messages.debug("serve", e);
            System.err.println("outpost: " + e.getMessage());
            return e.exitCode();
        } catch (RuntimeException e) {
            Messages.debug("serve", e);
            System.err.println("outpost: cannot serve " + dir + ": " + Messages.of(e) + " (details with --verbose)");
            return 1;
        }
        signals.arm(session::close);
        signals.await();
        return 0;
    }
}
