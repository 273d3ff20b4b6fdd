package dev.outpost.serve.standin;

import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeServer;
import dev.outpost.proxy.config.FileErrors;
import dev.outpost.serve.ServeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outpost in Viceroy's place: what {@code viceroy [serve]} does when {@code fastly compute serve} runs it. It serves
 * the program with the manifest's {@code [local_server]} and nothing else: the Fastly CLI builds, watches and runs
 * Pushpin itself, so Fanout handoffs go to the external proxy named by {@code --local-pushpin-proxy-port} and no proxy
 * starts here. Its log lines are Viceroy's where Viceroy has one ({@code Listening on http://...}).
 */
public final class ViceroyStandIn implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("viceroy");
    private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm'};

    private final EdgeServer edge;

    private ViceroyStandIn(EdgeServer edge) {
        this.edge = edge;
    }

    /** Loads the program and listens; fails with exit code 2 for a bad program or manifest, 1 when it cannot bind. */
    public static ViceroyStandIn start(ViceroyOptions o) throws ServeException {
        checkProgram(o.wasm());
        LocalServerConfig local = readManifest(o.manifest());
        EdgeConfig config = EdgeConfig.of(o.wasm())
                .withAddress(o.address())
                .withLocalServer(local)
                .withEngine(o.engine())
                .withHandoffPort(o.pushpinProxyPort())
                .withWebsocketPassthrough(o.websocketPassthrough());
        EdgeServer edge;
        try {
            edge = new EdgeServer(config).start();
        } catch (UncheckedIOException e) {
            throw new ServeException(1, e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ServeException(
                    1,
                    "cannot serve on " + o.address().getHostString() + ":"
                            + o.address().getPort() + ": " + e,
                    e);
        }
        // The edge has logged Viceroy's "Listening on http://ADDR".
        if (o.pushpinProxyPort() != 0) {
            log.info("Fanout handoffs go to the GRIP proxy on 127.0.0.1:{}", o.pushpinProxyPort());
        }
        return new ViceroyStandIn(edge);
    }

    /** The {@code [local_server]} of {@code manifest}, or an empty one (with Viceroy's warning) when it is null. */
    public static LocalServerConfig readManifest(Path manifest) throws ServeException {
        if (manifest == null) {
            log.warn("no configuration provided, invoke with `-C <TOML_FILE>` to provide a configuration");
            return LocalServerConfig.empty();
        }
        if (!Files.isRegularFile(manifest)) {
            throw new ServeException(2, "-C " + manifest + ": not found (expected: a fastly.toml)");
        }
        LocalServerConfig local;
        try {
            local = FastlyTomlParser.read(manifest).localServer();
        } catch (FastlyTomlException e) {
            throw new ServeException(2, e.getMessage(), e);
        }
        if (local.backends().isEmpty()) {
            log.warn("no backend definitions found in {}", manifest);
        }
        return local;
    }

    /** Checks that {@code wasm} is a binary Wasm module, the way Viceroy checks its input before anything else. */
    public static void checkProgram(Path wasm) throws ServeException {
        String unreadable = FileErrors.unreadable("<INPUT>", wasm, "a Wasm program, e.g. bin/main.wasm");
        if (unreadable != null) {
            throw new ServeException(2, unreadable);
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(wasm)) {
            head = in.readNBytes(4);
        } catch (IOException e) {
            throw new ServeException(2, "<INPUT> " + wasm + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (!Arrays.equals(head, WASM_MAGIC)) {
            throw new ServeException(
                    2,
                    "<INPUT> " + wasm + ": not a binary Wasm module (expected: one starting with \\0asm; WebAssembly"
                            + " text is not supported, convert it with wasm-tools parse)");
        }
    }

    public int port() {
        return edge.port();
    }

    @Override
    public void close() {
        edge.close();
    }
}
