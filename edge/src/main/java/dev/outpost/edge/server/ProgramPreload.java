package dev.outpost.edge.server;

import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.engine.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A program loaded on a thread of its own from the moment its path is known, while the rest of a start (the GRIP
 * proxy, the build check, the server's sockets) goes on: loading a JS app (parsing and validating 11 MB) is most of
 * the time to the banner (docs/benchmarks.md, E4). {@link EdgeServer} takes the module only when the file still
 * holds the very bytes it was loaded from (a build may have replaced it meanwhile); else it is closed and the program
 * loads again. Nothing runs the guest here: loading is what {@link EdgeServer#start()} would do anyway.
 */
public final class ProgramPreload implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProgramPreload.class);

    /** What the thread read and made of it: the module, or why loading failed. */
    private record Loaded(byte[] wasm, WasmModule module, RuntimeException failure) {}

    private final CompletableFuture<Loaded> loaded = new CompletableFuture<>();
    private boolean taken;

    private ProgramPreload() {}

    /**
     * Starts loading {@code wasm} with the engine {@code engine} gives (it may wait for the engine); {@code name}
     * labels the module as {@link EdgeServer} does (the file name).
     */
    public static ProgramPreload start(Path wasm, Supplier<WasmEngine> engine) {
        ProgramPreload p = new ProgramPreload();
        Thread.ofPlatform().daemon().name("edge-preload").start(() -> p.run(wasm, engine));
        return p;
    }

    private void run(Path path, Supplier<WasmEngine> engine) {
        byte[] wasm;
        try {
            wasm = Files.readAllBytes(path);
        } catch (IOException | RuntimeException e) {
            // The server reads it again and says what is wrong.
            log.debug("preloading {}: {}", path, e.toString());
            loaded.complete(new Loaded(null, null, null));
            return;
        }
        try {
            WasmModule module = engine.get().load(path.getFileName().toString(), wasm);
            loaded.complete(new Loaded(wasm, module, null));
        } catch (RuntimeException e) {
            loaded.complete(new Loaded(wasm, null, e));
        } catch (Throwable e) {
            loaded.completeExceptionally(e);
        }
    }

    /**
     * Waits for the load; the module when it was loaded from exactly {@code wasm}, else null (the caller loads
     * {@code wasm} itself). A load of the same bytes that failed throws what it failed with. Once only.
     */
    synchronized WasmModule take(byte[] wasm) {
        if (taken) {
            throw new IllegalStateException("preloaded program already taken or closed");
        }
        taken = true;
        Loaded l;
        try {
            l = loaded.join();
        } catch (CompletionException e) {
            log.debug("preloading failed", e.getCause());
            return null;
        }
        if (l.wasm() == null || !Arrays.equals(l.wasm(), wasm)) {
            if (l.module() != null) {
                log.debug("the program changed while it was preloaded (a build); loading it again");
                l.module().close();
            }
            return null;
        }
        if (l.failure() != null) {
            throw l.failure();
        }
        return l.module();
    }

    /** Drops a module nobody took (a start that failed before loading), once it is loaded. */
    @Override
    public synchronized void close() {
        if (taken) {
            return;
        }
        taken = true;
        loaded.thenAccept(l -> {
            if (l.module() != null) {
                l.module().close();
            }
        });
    }
}
