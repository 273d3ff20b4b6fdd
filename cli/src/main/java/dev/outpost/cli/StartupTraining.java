package dev.outpost.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

/**
 * The training run behind the start-up cache of the short commands ({@code outpost publish}, {@code --version},
 * {@code --help}): {@code ./outpost} runs this class once per build with the JDK's {@code -XX:AOTCacheOutput}, so that
 * later calls find the classes it loads already parsed and linked (issue #18: a publish loop pays a JVM start per
 * call). It does what those commands do: prints help and the version, and publishes a few items to an endpoint of its
 * own on a free port (and once to a closed port). Nothing is printed; the exit code tells whether every step went as
 * expected.
 */
public final class StartupTraining {
    private StartupTraining() {}

    public static void main(String[] args) throws IOException {
        // as `outpost publish` starts (Main), so that the cache holds what it loads then
        PublishCommand.leanStart();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true);
        System.setOut(sink);
        System.setErr(sink);
        int failures = 0;
        try {
            failures += expect(0, "--help");
            failures += expect(0, "publish", "--help");
            for (String line : Version.lines()) {
                sink.println(line);
            }
            failures += expect(0, "--version");
            // A publish endpoint of the JDK's own: the cache holds what a publish loads, not a proxy's classes too.
            HttpServer endpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            endpoint.createContext("/publish/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] ok = "Published\n".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, ok.length);
                exchange.getResponseBody().write(ok);
                exchange.close();
            });
            endpoint.start();
            try {
                String spec = "http://127.0.0.1:" + endpoint.getAddress().getPort();
                failures += expect(0, "publish", "--spec", spec, "test", "hello");
                failures += expect(0, "publish", "--spec", spec, "--format", "sse", "--id", "2", "test", "hello");
                failures += expect(0, "publish", "--spec", spec, "-H", "X-Outpost: 1", "-M", "k=v", "test", "hi");
                failures += expect(0, "publish", "--spec", spec, "test", "--close");
            } finally {
                endpoint.stop(0);
            }
            failures += expect(1, "publish", "--spec", "http://127.0.0.1:" + closedPort(), "test", "hello");
            failures += expect(2, "publish", "test");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        if (failures > 0) {
            err.println("outpost: start-up training: " + failures + " step(s) ended unexpectedly");
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** Runs {@code args} as {@link Main} does, through the same command model. */
    private static int expect(int code, String... args) {
        return Main.newCommandLine(args).execute(args) == code ? 0 : 1;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
