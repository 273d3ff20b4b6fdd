package dev.outpost.edge.engine;

import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GraalWasm on Truffle. One shared polyglot {@link Engine} keeps parsed modules and JIT-compiled code across the
 * per-request contexts. With JVMCI and the Graal compiler on the module path it compiles hot guest code; otherwise it
 * interprets (still faster than Chicory for CPU-heavy guests).
 */
public final class GraalWasmEngine implements WasmEngine {
    private static final Logger log = LoggerFactory.getLogger(GraalWasmEngine.class);

    /**
     * Built on a thread of its own from the constructor on (a few hundred ms: Truffle's runtime and, with the JIT, the
     * Graal compiler's set-up), so that {@link #load} can read and rewrite the module meanwhile.
     */
    private final CompletableFuture<Engine> engine = new CompletableFuture<>();

    /**
     * {@code -Doutpost.edge.trackWrites=false}: resets rewrite an instance's whole memory, even where the kernel could
     * say which pages a run wrote ({@link WrittenPages}).
     */
    public static final String TRACK_WRITES = "outpost.edge.trackWrites";

    private final boolean trackWrites = !"false".equals(System.getProperty(TRACK_WRITES));

    /** System properties {@code outpost.graalwasm.<option>=<value>} pass engine or wasm options through (tuning). */
    public static final String OPTION_PREFIX = "outpost.graalwasm.";

    public GraalWasmEngine() {
        Map<String, String> options = new TreeMap<>();
        options.put("engine.WarnInterpreterOnly", "false");
        // Linear memory off the Java heap, freed when the request's context closes: a JS app's 7.3 MiB initial memory
        // per request would otherwise be young-generation garbage.
        options.put("wasm.UseUnsafeMemory", "true");
        Map<String, String> given = new TreeMap<>();
        System.getProperties().forEach((key, value) -> {
            if (key instanceof String name && name.startsWith(OPTION_PREFIX)) {
                given.put(name.substring(OPTION_PREFIX.length()), String.valueOf(value));
            }
        });
        options.putAll(given);
        // Only with the compiler in the JVM: without it, an option of its group fails the build, and the failed build
        // prints the interpreter-only warning that the option above turns off.
        Map<String, String> withCompiler = new TreeMap<>(
                ModuleLayer.boot().findModule("jdk.graal.compiler").isPresent() ? JIT_DEFAULTS : Map.of());
        withCompiler.putAll(options);
        log.debug("graalwasm options: {}", withCompiler);
        Thread.ofPlatform().daemon().name("graalwasm-engine").start(() -> {
            try {
                Engine built;
                try {
                    built = build(withCompiler);
                } catch (IllegalArgumentException e) {
                    // the compiler is there but not used (JVMCI off): its options are unknown, and not needed
                    String m = String.valueOf(e.getMessage());
                    boolean ours = JIT_DEFAULTS.keySet().stream().anyMatch(k -> !given.containsKey(k) && m.contains(k));
                    if (!ours) {
                        throw e;
                    }
                    log.debug("graalwasm: without the compiler's options ({})", e.getMessage());
                    built = build(options);
                }
                log.debug("graalwasm runtime: {}", built.getImplementationName());
                engine.complete(built);
            } catch (Throwable e) { // handed to whoever uses the engine, as the constructor would have thrown it
                engine.completeExceptionally(e);
            }
        });
    }

    /**
     * The Graal compiler's options, when it runs. A smaller inlining budget than its default (12,000 nodes) makes each
     * last-tier compilation of a JS app cheaper, so that the compiler, on the same cores as the requests, is through
     * the hot code sooner (hello, one client, first 80 s: 468 last-tier compilations in 57 s against 192-412 in 68-73
     * s, and 696-745 against 539-708 req/s; fib as fast; docs/benchmarks.md). Below about 4,000 the JS engine's
     * interpreter loop loses what fib's recursion needs and its requests 4-30 take twice as long.
     */
    static final Map<String, String> JIT_DEFAULTS = Map.of("compiler.InliningExpansionBudget", "5000");

    private static Engine build(Map<String, String> options) {
        return Engine.newBuilder("wasm")
                .allowExperimentalOptions(true)
                .options(options)
                .build();
    }

    /** The polyglot engine, once built; its failure (say, a bad option) as the exception it threw. */
    private Engine engine() {
        return join(engine);
    }

    /** The future's value, or what it failed with, unwrapped. */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** {@code GraalVM CE} when the optimizing runtime is on, {@code Interpreted} otherwise. */
    public String implementationName() {
        return engine().getImplementationName();
    }

    /**
     * How instances' memories are reset: "written pages" when the kernel tracks writes (resets copy back only the pages
     * a run wrote), or why the whole memory is rewritten instead.
     */
    public static String memoryResets() {
        if ("false".equals(System.getProperty(TRACK_WRITES))) {
            return "whole memory (-D" + TRACK_WRITES + "=false)";
        }
        String unavailable = WrittenPages.unavailable();
        return unavailable == null ? "written pages" : "whole memory (" + unavailable + ")";
    }

    /** Resets so far, in this process, that copied back only the pages a run wrote (diagnostics and tests). */
    public static long resetsOfWrittenPages() {
        return WrittenPages.restores();
    }

    /** Whether the Graal JIT compiles guest code (JVMCI on and the compiler present). */
    public boolean optimizing() {
        return !"Interpreted".equals(engine().getImplementationName());
    }

    @Override
    public String name() {
        return "graalwasm";
    }

    @Override
    public String description() {
        return name() + " (" + implementationName() + ")";
    }

    @Override
    public Optional<String> startupAdvice() {
        return optimizing()
                ? Optional.empty()
                : Optional.of(
                        "graalwasm runs interpreted; for its JIT start the JVM with"
                                + " -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path=<Graal compiler jars>");
    }

    @Override
    public WasmModule load(String name, byte[] wasm) {
        List<WasmModule.FunctionImport> imports;
        boolean poolable;
        try {
            imports = WasmImports.functions(wasm);
            poolable = !WasmImports.hasStartFunction(wasm);
        } catch (RuntimeException e) {
            throw new WasmLoadException(name + ": " + e.getMessage(), e);
        }
        // GraalWasm links every data segment on each instantiation; a Wizer snapshot has thousands.
        byte[] merged = DataSegments.coalesce(wasm, DATA_SEGMENT_GAP);
        // A module with a start function runs code while it is instantiated: it stays whole.
        ModuleSplit.Parts parts = poolable ? ModuleSplit.split(merged) : null;
        if (parts != null) {
            try {
                // The initial memory on a second core while this one parses the code (most of a JS app's load).
                CompletableFuture<Source> initial = new CompletableFuture<>();
                Thread.ofPlatform().daemon().name("graalwasm-parse").start(() -> {
                    try {
                        initial.complete(parse(name + " (initial memory)", parts.data()));
                    } catch (Throwable e) {
                        initial.completeExceptionally(e);
                    }
                });
                ParsedCode code;
                try {
                    code = codeSource(parts.code());
                } finally {
                    initial.exceptionally(e -> null).join(); // no parse left running after this method
                }
                Source data = join(initial);
                // Instantiated once here, so a module that does not link in two parts is loaded whole instead.
                ResetPermission resets = parts.resettable() ? new ResetPermission(name, merged, code) : null;
                return new GraalModule(name, code.source(), data, imports, poolable, true, resets);
            } catch (PolyglotException | GuestTrapException e) {
                log.debug("{}: split into code and data it does not load ({}); loading it whole", name, e.getMessage());
            }
        }
        Source source = null;
        if (merged != wasm) {
            try {
                source = parse(name, merged);
            } catch (PolyglotException e) {
                log.debug(
                        "{}: with merged data segments it does not validate ({}); loading it as it is",
                        name,
                        e.getMessage());
            }
        }
        if (source == null) {
            try {
                source = parse(name, wasm);
            } catch (PolyglotException e) {
                throw new WasmLoadException(name + ": " + e.getMessage(), e);
            }
        }
        return new GraalModule(name, source, null, imports, poolable, false, null);
    }

    /** Code up to this size is walked for table writes while loading; larger code later, on a thread of its own. */
    private static final int WALK_INLINE_BYTES = 1 << 20;

    /**
     * Whether instances of a split module may be reset and reused: only when its code writes no table. The walk over a
     * JS app's code takes a quarter of a second in a cold JVM, on two cores busy with the start: it begins when the first
     * instance could be reset (after the first request), and until it ends instances are used once. A later load of the
     * same code (a {@code --watch} rebuild that changed only the JS) takes the verdict of the first.
     */
    private static final class ResetPermission {
        private final String name;
        private byte[] wasm;
        private final ParsedCode code;
        private final AtomicBoolean started = new AtomicBoolean();
        private volatile Boolean allowed;

        ResetPermission(String name, byte[] wasm, ParsedCode code) {
            this.name = name;
            this.code = code;
            Boolean known = code.writesNoTable;
            if (known != null) { // walked for an earlier load of the same code (a --watch rebuild)
                allowed = known;
                return;
            }
            this.wasm = wasm;
            if (ModuleSplit.codeSize(wasm) <= WALK_INLINE_BYTES) {
                check();
            }
        }

        boolean allowed() {
            Boolean known = allowed;
            if (known != null) {
                return known;
            }
            if (started.compareAndSet(false, true)) {
                Thread.ofPlatform().daemon().name("graalwasm-check").start(this::check);
            }
            return false;
        }

        private void check() {
            boolean ok = !ModuleSplit.mayWriteTables(wasm);
            wasm = null; // the module's bytes are not needed any more
            code.writesNoTable = ok;
            log.debug(
                    "{}: instances are {}",
                    name,
                    ok ? "reset and reused" : "used once (its code can write a table, or has an unknown instruction)");
            allowed = ok;
        }
    }

    /** Zero bytes worth copying to save a separate segment. */
    private static final int DATA_SEGMENT_GAP = 4096;

    /** Code modules parsed so far, newest last: a reload or another app with the same code finds it parsed. */
    private final Map<String, ParsedCode> codeSources = new LinkedHashMap<>();

    /** A code module parsed, and once walked whether its code writes no table (null until then). */
    private static final class ParsedCode {
        private final Source source;
        volatile Boolean writesNoTable;

        ParsedCode(Source source) {
            this.source = source;
        }

        Source source() {
            return source;
        }
    }

    /**
     * The current code module and the one before it (a rebuild that switched SDK versions and back). Each parsed one
     * holds tens of MB of the heap for a JS app (its bytes, function nodes and call targets), and the launcher caps the
     * heap (cli/src/launcher/serve-jvm.sh).
     */
    private static final int CODE_SOURCES_KEPT = 2;

    /**
     * The parsed code module with these bytes, parsing it the first time. Sharing the {@link Source} shares the parse
     * and every compilation of its functions: JIT-compiled code survives a {@code --watch} rebuild that changed only
     * the JS (which lives in the data).
     */
    private synchronized ParsedCode codeSource(byte[] code) {
        String key = sha256(code);
        ParsedCode source = codeSources.remove(key);
        if (source == null) {
            source = new ParsedCode(parse("wasm code " + key.substring(0, 12), code));
            log.debug("parsed code module {} ({} KB)", key.substring(0, 12), code.length / 1024);
        }
        codeSources.put(key, source);
        while (codeSources.size() > CODE_SOURCES_KEPT) {
            codeSources.remove(codeSources.keySet().iterator().next());
        }
        return source;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The cached source after parsing and validating it once, so the first request does not pay for it. */
    private Source parse(String name, byte[] wasm) {
        Source source = Source.newBuilder("wasm", ByteSequence.create(wasm), name)
                .cached(true)
                .buildLiteral();
        enterSetUp();
        try (Context context = newContext()) {
            context.eval(source);
        } finally {
            exitSetUp();
        }
        return source;
    }

    private Context newContext() {
        return Context.newBuilder("wasm").engine(engine()).build();
    }

    /**
     * Threads setting up a context (parsing, instantiating), which the engine's close waits for. Truffle's engine
     * close holds the engine's lock while it waits for every thread in a context to leave, and a thread whose first
     * evaluation in a new context is initialising the language needs that lock: closing during a parse or an
     * instantiation hung the close for good. Guest runs are not counted: the close cancels them.
     */
    private final Object setUp = new Object();

    private int settingUp;
    private boolean closing;

    /** How long a close waits for set-ups in progress (a JS app's parse takes a second or two). */
    private static final long SET_UP_WAIT_MILLIS = 30_000;

    private void enterSetUp() {
        synchronized (setUp) {
            if (closing) {
                throw new IllegalStateException("the Wasm engine is closed");
            }
            settingUp++;
        }
    }

    private void exitSetUp() {
        synchronized (setUp) {
            if (--settingUp == 0) {
                setUp.notifyAll();
            }
        }
    }

    /**
     * Closes the engine once parses and instantiations in progress are done (new ones fail from now on); a guest still
     * running (a request in flight when the server stops) is cancelled.
     */
    @Override
    public void close() {
        synchronized (setUp) {
            closing = true;
            long deadline = System.nanoTime() + SET_UP_WAIT_MILLIS * 1_000_000;
            try {
                for (long left; settingUp > 0 && (left = deadline - System.nanoTime()) > 0; ) {
                    setUp.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (settingUp > 0) {
                log.warn("closing the Wasm engine with {} parse(s) or instantiation(s) still running", settingUp);
            }
        }
        Engine e;
        try {
            e = engine();
        } catch (RuntimeException | Error failed) {
            return; // never built: nothing to close
        }
        e.close(true);
    }

    /** The hostcalls and memory of the instance running on a thread; import functions dispatch through it. */
    private record Binding(Hostcall[] hostcalls, GraalMemory memory) {}

    private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();

    private final class GraalModule extends PooledModule {
        private final String name;
        private final Source source;
        /** The initial memory as a module of its own ({@link ModuleSplit}), or null when {@code source} has it. */
        private final Source data;

        private final List<FunctionImport> imports;
        /** Built once: linking the same host objects into each new instance is cheaper than fresh ones. */
        private final Map<String, Object> importModules = new HashMap<>();

        private final Value importObject;
        /** Whether instances may be reset and reused; null when the parts have no reset functions. */
        private final ResetPermission resettable;
        /** The initial memory, for resets that copy back the pages written. */
        private WrittenPages.Image image;

        GraalModule(
                String name,
                Source source,
                Source data,
                List<FunctionImport> imports,
                boolean poolable,
                boolean check,
                ResetPermission resettable) {
            this.name = name;
            this.source = source;
            this.data = data;
            this.imports = imports;
            this.resettable = resettable;
            Map<String, Map<String, Object>> modules = new LinkedHashMap<>();
            for (int index = 0; index < imports.size(); index++) {
                FunctionImport imp = imports.get(index);
                int i = index;
                boolean hasResult = imp.resultCount() > 0;
                ProxyExecutable fn = args -> {
                    long[] raw = new long[args.length];
                    for (int a = 0; a < args.length; a++) {
                        raw[a] = args[a].asLong();
                    }
                    Binding binding = CURRENT.get();
                    binding.memory().refresh();
                    int result = binding.hostcalls()[i].call(binding.memory(), raw);
                    return hasResult ? Integer.valueOf(result) : null;
                };
                modules.computeIfAbsent(imp.module(), m -> new HashMap<>()).put(imp.name(), fn);
            }
            modules.forEach((module, functions) -> importModules.put(module, ProxyObject.fromMap(functions)));
            this.importObject = Value.asValue(ProxyObject.fromMap(importModules));
            InstancePool.Blank first = null;
            if (check) {
                first = blank();
            }
            pool(new InstancePool(name, this::blank, poolable, first));
        }

        @Override
        public List<FunctionImport> imports() {
            return imports;
        }

        /**
         * The initial memory, copied off the first instance's memory before any code ran in it (every instance starts
         * with the same); null when writes are not tracked.
         */
        private WrittenPages.Image image(long address, long size) {
            synchronized (this) {
                if (image == null || image.size() != size) {
                    image = WrittenPages.Image.copyOf(address, size);
                    log.debug("{}: instance memories are reset by {}", name, memoryResets());
                }
                return image;
            }
        }

        /** A new context holding a new instance, not yet bound to a request. */
        private InstancePool.Blank blank() {
            enterSetUp();
            try {
                return instantiate();
            } finally {
                exitSetUp();
            }
        }

        private InstancePool.Blank instantiate() {
            Context context = newContext();
            WrittenPages pages = null;
            try {
                Value imports = importObject;
                Value initial = null;
                Value resetMemory = null;
                WrittenPages.Image image = null;
                if (data != null) {
                    Value dataExports = context.eval(data).newInstance().getMember("exports");
                    initial = dataExports.getMember(ModuleSplit.MEMORY_NAME);
                    if (resettable != null) {
                        resetMemory = dataExports.getMember(ModuleSplit.RESET_MEMORY);
                        // The memory holds its initial content now, before the code module is linked to it.
                        long address = trackWrites ? MemoryAddress.of(initial) : 0;
                        image = address == 0 ? null : image(address, initial.getBufferSize());
                        pages = image == null ? null : WrittenPages.track(address, initial.getBufferSize());
                    }
                    Map<String, Object> withMemory = new HashMap<>(importModules);
                    withMemory.put(
                            ModuleSplit.MEMORY_MODULE, ProxyObject.fromMap(Map.of(ModuleSplit.MEMORY_NAME, initial)));
                    imports = Value.asValue(ProxyObject.fromMap(withMemory));
                }
                Value module = context.eval(source);
                Value instance = module.newInstance(imports);
                Value exports = instance.getMember("exports");
                Value memory = exports.getMember("memory");
                Value start = exports.getMember("_start");
                Resets resets = resetMemory == null
                        ? null
                        : new Resets(
                                resettable,
                                initial,
                                initial.getBufferSize(),
                                resetMemory,
                                exports.getMember(ModuleSplit.RESET_GLOBALS),
                                image,
                                pages);
                Resets reset = resets;
                GraalMemory guestMemory = new GraalMemory(memory);
                return new InstancePool.Blank() {
                    @Override
                    public WasmInstance bind(Hostcall[] hostcalls) {
                        return new GraalInstance(context, start, new Binding(hostcalls, guestMemory));
                    }

                    @Override
                    public boolean reset() {
                        return reset != null && reset.run();
                    }

                    @Override
                    public void close() {
                        if (reset != null) {
                            reset.untrack();
                        }
                        context.close(true);
                    }
                };
            } catch (PolyglotException e) {
                if (pages != null) {
                    pages.close();
                }
                context.close();
                throw new GuestTrapException("instantiation failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The reset functions {@link ModuleSplit} adds, and the memory they reset with its initial size. A memory that grew
     * cannot shrink back to that size, which a new instance would have: such an instance is not reset. With the memory's
     * writes tracked ({@link WrittenPages}), the memory's reset copies back only the pages written; when the kernel cannot
     * say which, the reset function rewrites all of it.
     */
    private static final class Resets {
        private final ResetPermission permission;
        private final Value memory;
        private final long initialSize;
        private final Value resetMemory;
        private final Value resetGlobals;
        private final WrittenPages.Image image;
        private WrittenPages pages;

        Resets(
                ResetPermission permission,
                Value memory,
                long initialSize,
                Value resetMemory,
                Value resetGlobals,
                WrittenPages.Image image,
                WrittenPages pages) {
            this.permission = permission;
            this.memory = memory;
            this.initialSize = initialSize;
            this.resetMemory = resetMemory;
            this.resetGlobals = resetGlobals;
            this.image = image;
            this.pages = pages;
        }

        boolean run() {
            if (!permission.allowed()) {
                return false;
            }
            try {
                long size = memory.getBufferSize();
                if (size != initialSize) {
                    log.debug("memory grew from {} to {} bytes in a request: dropping the instance", initialSize, size);
                    return false;
                }
                resetGlobals.executeVoid();
                if (pages != null && !pages.restore(image)) {
                    log.debug("written pages unknown: resetting all of the memory from now on");
                    pages.close();
                    pages = null;
                }
                if (pages == null) {
                    resetMemory.executeVoid();
                }
                return true;
            } catch (PolyglotException | IllegalStateException e) {
                return false; // closed meanwhile (cancelled), or a trap
            }
        }

        /** Before the memory is freed: its range is no longer tracked (unless it moved when it grew). */
        void untrack() {
            if (pages == null) {
                return;
            }
            try {
                if (memory.getBufferSize() == initialSize) {
                    pages.close();
                }
            } catch (PolyglotException | IllegalStateException e) {
                // closed already: the memory may be gone, and its range another's
            }
            pages = null;
        }
    }

    /**
     * Where a memory export's bytes are, when GraalWasm keeps them off the Java heap ({@code wasm.UseUnsafeMemory}): the
     * polyglot API has no call for it, so it is read from the fields behind the value, by reflection; 0 when they are not
     * there (another GraalWasm version, another memory kind).
     */
    private static final class MemoryAddress {
        private static final Field RECEIVER = field(Value.class.getSuperclass(), "receiver");
        /** The page count of GraalWasm's native memory (its byte size is pages times 64 KiB). */
        private static final long PAGE = 65536;

        private static volatile boolean warned;

        static long of(Value memory) {
            try {
                Object receiver = RECEIVER.get(memory);
                Field start = field(receiver.getClass(), "startAddress");
                return start == null ? 0 : start.getLong(receiver);
            } catch (ReflectiveOperationException | RuntimeException e) {
                if (!warned) {
                    warned = true;
                    log.debug("no address for GraalWasm's memory ({}): resets rewrite all of it", e.toString());
                }
                return 0;
            }
        }

        /**
         * Where the memory behind {@code memory} is and how large, read as the guest moves and grows it; null when its
         * fields are not there or disagree with the polyglot API.
         */
        static Live live(Value memory) {
            try {
                Object receiver = RECEIVER.get(memory);
                Field start = field(receiver.getClass(), "startAddress");
                Field pages = field(receiver.getClass(), "size");
                if (start == null || pages == null || pages.getType() != long.class) {
                    return null;
                }
                Live live = new Live(receiver, start, pages);
                return live.address() != 0 && live.bytes() == memory.getBufferSize() ? live : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        record Live(Object receiver, Field start, Field pages) {
            long address() {
                try {
                    return start.getLong(receiver);
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }

            long bytes() {
                try {
                    return pages.getLong(receiver) * PAGE;
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private static Field field(Class<?> type, String name) {
            try {
                Field f = type.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    private record GraalInstance(Context context, Value start, Binding binding) implements WasmInstance {
        @Override
        public void cancel() {
            context.close(true);
        }

        @Override
        public int runStart() {
            Binding previous = CURRENT.get();
            CURRENT.set(binding);
            try {
                start.executeVoid();
                return 0;
            } catch (PolyglotException e) {
                if (e.isHostException()) {
                    Throwable host = e.asHostException();
                    GuestExit exit = HostFailure.exitIn(host);
                    if (exit != null) {
                        return exit.code();
                    }
                    GuestTrapException trap = HostFailure.trapIn(host);
                    if (trap != null) {
                        throw trap;
                    }
                    throw new GuestTrapException("host error: " + host, host);
                }
                if (e.isExit()) {
                    return e.getExitStatus();
                }
                if (e.isCancelled()) {
                    throw new GuestTrapException("cancelled", e);
                }
                throw new GuestTrapException("wasm trap: " + e.getMessage(), e);
            } finally {
                CURRENT.set(previous);
            }
        }

        @Override
        public void close() {
            try {
                context.close(true);
            } catch (PolyglotException | IllegalStateException e) {
                // Already closed by cancel().
            }
        }
    }

    /**
     * Guest memory (little-endian, as Wasm). Read and written in place through a view of its native bytes where GraalWasm
     * keeps them off the Java heap and the JDK can make such a view ({@link NativeViews}); otherwise through the polyglot
     * buffer API, which crosses into the engine for every call: 8 bytes at a time for a write. The view follows the
     * memory when the guest grows it (GraalWasm may move it then). An access past the memory's end fails before either
     * ({@link GuestMemory#checkBounds}).
     */
    private static final class GraalMemory implements GuestMemory {
        private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
        private final Value buffer;
        /** Where the memory's bytes are now; null without views. */
        private final MemoryAddress.Live live;

        private ByteBuffer view;
        private long viewAddress;
        /** The memory's size in bytes, as {@link #refresh} last saw it. */
        private long viewBytes;

        GraalMemory(Value buffer) {
            this.buffer = buffer;
            this.live = NativeViews.INSTANCE == null ? null : MemoryAddress.live(buffer);
        }

        /**
         * Looks where the memory is now and how large: called as each hostcall begins (before any access or
         * {@link #size}), since only the guest's own code, between hostcalls, grows (and may move) it.
         */
        void refresh() {
            if (live == null) {
                // One call into the engine per hostcall for the size, not one per access.
                viewBytes = buffer.getBufferSize();
                return;
            }
            long address = live.address();
            long bytes = live.bytes();
            if (address != viewAddress || bytes != viewBytes) {
                // Views are int-indexed: a memory past 2 GiB keeps the polyglot API (Wasm's limit is 4 GiB).
                view = address == 0 || bytes > Integer.MAX_VALUE
                        ? null
                        : NativeViews.INSTANCE.view(address, (int) bytes);
                viewAddress = address;
                viewBytes = bytes;
            }
        }

        /**
         * The view, once {@link #checkBounds} found {@code [address, address + length)} in the memory; null to go
         * through the polyglot API (no view, or one past 2 GiB).
         */
        private ByteBuffer view(int address, int length) {
            checkBounds(address, length);
            return view;
        }

        @Override
        public long size() {
            return viewBytes;
        }

        @Override
        public byte[] read(int address, int length) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, length);
            byte[] out = new byte[length];
            if (v != null) {
                v.get((int) at, out, 0, length);
            } else {
                buffer.readBuffer(at, out, 0, length);
            }
            return out;
        }

        @Override
        public void write(int address, byte[] bytes, int offset, int length) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, length);
            if (v != null) {
                v.put((int) at, bytes, offset, length);
                return;
            }
            // No bulk write in the polyglot API: 8 bytes at a time, then the tail.
            ByteBuffer source = ByteBuffer.wrap(bytes, offset, length).order(LE);
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                buffer.writeBufferLong(LE, at + i, source.getLong(offset + i));
            }
            for (; i < length; i++) {
                buffer.writeBufferByte(at + i, bytes[offset + i]);
            }
        }

        @Override
        public int readI32(int address) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, 4);
            return v != null ? v.getInt((int) at) : buffer.readBufferInt(LE, at);
        }

        @Override
        public void writeI32(int address, int value) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, 4);
            if (v != null) {
                v.putInt((int) at, value);
            } else {
                buffer.writeBufferInt(LE, at, value);
            }
        }

        @Override
        public void writeI64(int address, long value) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, 8);
            if (v != null) {
                v.putLong((int) at, value);
            } else {
                buffer.writeBufferLong(LE, at, value);
            }
        }

        @Override
        public void writeI16(int address, short value) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, 2);
            if (v != null) {
                v.putShort((int) at, value);
            } else {
                buffer.writeBufferShort(LE, at, value);
            }
        }

        @Override
        public void writeI8(int address, byte value) {
            long at = Integer.toUnsignedLong(address);
            ByteBuffer v = view(address, 1);
            if (v != null) {
                v.put((int) at, value);
            } else {
                buffer.writeBufferByte(at, value);
            }
        }
    }
}
