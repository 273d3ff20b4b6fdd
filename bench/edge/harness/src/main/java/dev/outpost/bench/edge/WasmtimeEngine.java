package dev.outpost.bench.edge;

import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import dev.outpost.edge.engine.ImportResolver;
import dev.outpost.edge.engine.WasmEngine;
import dev.outpost.edge.engine.WasmEngineProvider;
import dev.outpost.edge.engine.WasmInstance;
import dev.outpost.edge.engine.WasmModule;
import io.github.kawamuray.wasmtime.Config;
import io.github.kawamuray.wasmtime.Engine;
import io.github.kawamuray.wasmtime.Extern;
import io.github.kawamuray.wasmtime.Func;
import io.github.kawamuray.wasmtime.FuncType;
import io.github.kawamuray.wasmtime.ImportType;
import io.github.kawamuray.wasmtime.Instance;
import io.github.kawamuray.wasmtime.Memory;
import io.github.kawamuray.wasmtime.Module;
import io.github.kawamuray.wasmtime.Store;
import io.github.kawamuray.wasmtime.Val;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The native reference: wasmtime (Cranelift) through wasmtime-java's JNI binding, running the same program with
 * Outpost's own hostcalls. Like Outpost's engines it makes a fresh instance per request, one instance ahead on a
 * thread of its own (Viceroy pre-links its instances too), so a request pays for {@code _start} and the hostcalls.
 * Benchmark only: a guest that runs too long is not stopped ({@link WasmInstance#cancel()} does nothing).
 */
public final class WasmtimeEngine implements WasmEngine {
    /** Compiled code is cached on disk (wasmtime's default cache), so runs after the first skip Cranelift. */
    private final Engine engine = new Engine(cacheConfig());

    private static Config cacheConfig() {
        var config = new Config();
        try {
            config.cacheConfigLoadDefault();
        } catch (RuntimeException e) {
            // no cache: compile every time
        }
        return config;
    }

    /** Registered in {@code META-INF/services}: {@code --engine wasmtime}. */
    public static final class Provider implements WasmEngineProvider {
        @Override
        public String name() {
            return "wasmtime";
        }

        @Override
        public WasmEngine create() {
            return new WasmtimeEngine();
        }
    }

    @Override
    public String name() {
        return "wasmtime";
    }

    @Override
    public WasmModule load(String name, byte[] wasm) {
        return new WtModule(name, Module.fromBinary(engine, wasm));
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Instances made ahead per store: host functions belong to a store, and making 181 of them costs more than an instance. */
    private static final int BATCH = 16;

    private final class WtModule implements WasmModule {
        private final Module module;
        private final List<FunctionImport> imports = new ArrayList<>();
        private final List<FuncType> types = new ArrayList<>();
        private final ExecutorService maker;
        private Future<Batch> next;
        private Batch current;

        WtModule(String name, Module module) {
            this.module = module;
            for (ImportType imp : module.imports()) {
                if (imp.type() != ImportType.Type.FUNC) {
                    throw new IllegalArgumentException(name + ": imports " + imp.module() + "." + imp.name()
                            + ", not a function (expected: function imports only)");
                }
                FuncType type = imp.func();
                imports.add(new FunctionImport(
                        imp.module(), imp.name(), type.getParams().length, type.getResults().length));
                types.add(type);
            }
            this.maker = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "wasmtime-instantiate-" + name);
                t.setDaemon(true);
                return t;
            });
            this.next = maker.submit(this::prepare);
        }

        @Override
        public List<FunctionImport> imports() {
            return imports;
        }

        /**
         * A store with its host functions and {@link #BATCH} fresh instances. The functions call through the store's
         * current instance: the instances of one store run one after the other.
         */
        private Batch prepare() {
            Batch b = new Batch();
            b.store = new Store<>(null, engine);
            List<Extern> externs = new ArrayList<>(imports.size());
            for (int i = 0; i < imports.size(); i++) {
                int index = i;
                boolean hasResult = imports.get(i).resultCount() > 0;
                Func fn = new Func(b.store, types.get(i), (caller, params, results) -> {
                    Prepared p = b.running;
                    long[] args = new long[params.length];
                    for (int a = 0; a < params.length; a++) {
                        args[a] = params[a].getType() == Val.Type.I64 ? params[a].i64() : params[a].i32();
                    }
                    try {
                        int r = p.hostcalls[index].call(p.memory, args);
                        if (hasResult) {
                            results[0] = Val.fromI32(r);
                        }
                    } catch (RuntimeException | Error e) {
                        p.failure = e;
                        throw e;
                    }
                });
                b.funcs.add(fn);
                externs.add(Extern.fromFunc(fn));
            }
            for (int i = 0; i < BATCH; i++) {
                Prepared p = new Prepared(b, imports.size());
                p.instance = new Instance(b.store, module, externs);
                p.memory = new WtMemory(
                        b.store, p.instance.getMemory(b.store, "memory").orElseThrow());
                p.start = p.instance.getFunc(b.store, "_start").orElseThrow();
                b.instances.add(p);
            }
            return b;
        }

        @Override
        public synchronized WasmInstance instantiate(ImportResolver resolver) {
            if (current == null || current.instances.isEmpty()) {
                Batch used = current;
                try {
                    current = next.get();
                } catch (Exception e) {
                    throw new GuestTrapException("instantiation failed: " + e, e);
                }
                next = maker.submit(this::prepare);
                if (used != null) {
                    used.retire();
                }
            }
            Prepared p = current.instances.removeFirst();
            current.taken();
            for (int i = 0; i < imports.size(); i++) {
                p.hostcalls[i] = resolver.resolve(imports.get(i));
            }
            return p;
        }

        @Override
        public void close() {
            maker.shutdownNow();
            module.close();
        }
    }

    private static final ExecutorService DISPOSER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "wasmtime-dispose");
        t.setDaemon(true);
        return t;
    });

    /** One store's host functions and instances. */
    private static final class Batch {
        final List<Func> funcs = new ArrayList<>();
        final List<Prepared> instances = new ArrayList<>();
        final List<Prepared> all = new ArrayList<>();
        Store<Void> store;
        volatile Prepared running;
        /** Instances taken and not yet closed: the store outlives them (a warm-up run and a request may overlap). */
        private int open;

        private boolean retired;

        synchronized void taken() {
            open++;
        }

        synchronized void closed() {
            if (--open == 0 && retired) {
                dispose();
            }
        }

        /** No more instances are taken from it; disposed once the last one taken is closed. */
        synchronized void retire() {
            retired = true;
            if (open == 0) {
                dispose();
            }
        }

        /** Dropping a store unmaps its memories (about 0.1 s here): off the request thread, as a server would. */
        private void dispose() {
            DISPOSER.execute(() -> {
                for (Prepared p : all) {
                    p.start.close();
                    p.instance.close();
                }
                funcs.forEach(Func::close);
                store.close();
            });
        }
    }

    private static final class Prepared implements WasmInstance {
        final Batch batch;
        final Hostcall[] hostcalls;
        Instance instance;
        WtMemory memory;
        Func start;
        volatile Throwable failure;
        private boolean closed;

        Prepared(Batch batch, int imports) {
            this.batch = batch;
            this.hostcalls = new Hostcall[imports];
            batch.all.add(this);
        }

        @Override
        public int runStart() {
            synchronized (batch) {
                batch.running = this;
                try {
                    start.call(batch.store);
                    return 0;
                } catch (RuntimeException e) {
                    Throwable cause = failure != null ? failure : e;
                    for (Throwable c = cause; c != null; c = c.getCause()) {
                        if (c instanceof GuestExit exit) {
                            return exit.code();
                        }
                        if (c instanceof GuestTrapException trap) {
                            throw trap;
                        }
                    }
                    throw new GuestTrapException("wasm trap: " + cause, cause);
                } finally {
                    batch.running = null;
                }
            }
        }

        @Override
        public void cancel() {}

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                batch.closed();
            }
        }
    }

    /** Linear memory through the direct buffer wasmtime exposes; fetched per access, as growing may move it. */
    private record WtMemory(Store<Void> store, Memory memory) implements GuestMemory {
        private ByteBuffer buf() {
            return memory.buffer(store).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public long size() {
            return memory.dataSize(store);
        }

        @Override
        public byte[] read(int address, int length) {
            byte[] out = new byte[length];
            buf().get(address, out, 0, length);
            return out;
        }

        @Override
        public void write(int address, byte[] bytes, int offset, int length) {
            buf().put(address, bytes, offset, length);
        }

        @Override
        public int readI32(int address) {
            return buf().getInt(address);
        }

        @Override
        public void writeI32(int address, int value) {
            buf().putInt(address, value);
        }

        @Override
        public void writeI64(int address, long value) {
            buf().putLong(address, value);
        }

        @Override
        public void writeI16(int address, short value) {
            buf().putShort(address, value);
        }

        @Override
        public void writeI8(int address, byte value) {
            buf().put(address, value);
        }
    }
}
