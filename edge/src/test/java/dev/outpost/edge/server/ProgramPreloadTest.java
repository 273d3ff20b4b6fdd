package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.engine.WasmLoadException;
import dev.outpost.edge.engine.WasmModule;
import dev.outpost.edge.wat.Wat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program loaded ahead ({@link ProgramPreload}) is what the server serves when the file still holds it, and is
 * replaced by what the file holds when a build changed it meanwhile; a program that does not load fails the start
 * as it would without the preload. On GraalWasm, whose engine is built and whose initial memory is parsed on threads
 * of their own.
 */
@Timeout(120)
class ProgramPreloadTest {
    @TempDir
    Path dir;

    private Counting engine;

    @BeforeEach
    void engine() {
        engine = new Counting(Engines.create("graalwasm"));
    }

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void thePreloadedProgramIsServedAndLoadedOnce() throws Exception {
        Path file = write("one");
        ProgramPreload preload = ProgramPreload.start(file, () -> engine);
        try (EdgeServer server = new EdgeServer(config(file), () -> engine, preload).start()) {
            assertThat(get(server)).isEqualTo("one");
            assertThat(engine.loads.get()).isEqualTo(1);
        }
    }

    @Test
    void aProgramReplacedWhileItWasPreloadedIsLoadedAgainFromTheFile() throws Exception {
        Path file = write("one");
        CountDownLatch read = new CountDownLatch(1);
        CountDownLatch replaced = new CountDownLatch(1);
        // The preload asks for the engine once it has read the file: the build replaces the file after that.
        Supplier<WasmEngine> slowEngine = () -> {
            read.countDown();
            try {
                replaced.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return engine;
        };
        ProgramPreload preload = ProgramPreload.start(file, slowEngine);
        assertThat(read.await(60, TimeUnit.SECONDS)).isTrue();
        write("two");
        replaced.countDown();
        try (EdgeServer server = new EdgeServer(config(file), () -> engine, preload).start()) {
            assertThat(get(server)).isEqualTo("two");
            assertThat(engine.loads.get()).isEqualTo(2);
        }
    }

    @Test
    void aProgramThatDoesNotLoadFailsTheStartWithItsOwnErrorOnce() throws Exception {
        Path file = dir.resolve("main.wasm");
        Files.write(file, "not a program".getBytes(StandardCharsets.UTF_8));
        ProgramPreload preload = ProgramPreload.start(file, () -> engine);
        EdgeServer server = new EdgeServer(config(file), () -> engine, preload);
        assertThatThrownBy(server::start).isInstanceOf(WasmLoadException.class).hasMessageContaining("main.wasm");
        assertThat(engine.loads.get()).isEqualTo(1);
    }

    @Test
    void aPreloadNobodyTakesIsClosedWithoutServing() throws Exception {
        Path file = write("one");
        ProgramPreload preload = ProgramPreload.start(file, () -> engine);
        preload.close();
        // Taking it after close is refused: the server that was to take it loads the file itself.
        assertThatThrownBy(() -> preload.take(Files.readAllBytes(file))).isInstanceOf(IllegalStateException.class);
    }

    private Path write(String body) throws Exception {
        Path file = dir.resolve("main.wasm");
        Files.write(file, Wat.program(reply(body)));
        return file;
    }

    /** A program that answers {@code body} (at most 32 ASCII characters). */
    private static String reply(String body) {
        return "(data (i32.const 0x400) \"" + body + "\")\n"
                + "(func (export \"_start\") (call $reply (i32.const 0x400) (i32.const " + body.length() + ")))\n";
    }

    private static EdgeConfig config(Path file) {
        return EdgeConfig.of(file).withAddress(new InetSocketAddress("127.0.0.1", 0));
    }

    private static String get(EdgeServer server) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return response.body();
        }
    }

    /** The engine, counting the programs it loads. */
    private static final class Counting implements WasmEngine {
        final WasmEngine engine;
        final AtomicInteger loads = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();

        Counting(WasmEngine engine) {
            this.engine = engine;
        }

        @Override
        public String name() {
            return engine.name();
        }

        @Override
        public WasmModule load(String name, byte[] wasm) {
            loads.incrementAndGet();
            return engine.load(name, wasm);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                engine.close();
            }
        }
    }
}
