package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyHostcall;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.engine.ImportResolver;
import dev.outpost.edge.engine.WasmLoadException;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every hostcall of one sandbox by {@code module.name}, or, {@link Linking linked} for one module, those it imports by
 * their index. This is the one place where {@link HostcallException}s become status codes.
 *
 * <p>Linking follows Viceroy: a program may import any function of the Compute ABI ({@link ComputeAbi}), its legacy
 * {@code env.xqd_*} names ({@link LegacyAliases}) and WASI preview 1. {@link #checkImports} refuses, when the program
 * is loaded, one that imports anything else, naming every unknown import. An ABI function with no local stand-in is
 * registered with {@link #unsupported}: it answers {@code unsupported} and logs its name and reason once per process.
 */
public final class HostcallTable implements ImportResolver {
    private static final Logger log = LoggerFactory.getLogger(HostcallTable.class);
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    private static final String WASI = "wasi_snapshot_preview1";

    /** Every hostcall by {@code module.name}; empty with a {@link Linking}. */
    private final Map<String, Hostcall> hostcalls = new HashMap<>();

    private final Map<String, String> unsupported = new HashMap<>();
    private final List<Runnable> closers = new ArrayList<>();

    private final long memoryLimit;
    /** The one module's imports this table links, or null for every hostcall by name. */
    private final Linking linking;
    /** With a {@link Linking}: the hostcall of each import, by its index. */
    private final Hostcall[] linked;

    private HostcallTable(long memoryLimit, Linking linking) {
        this.memoryLimit = memoryLimit;
        this.linking = linking;
        this.linked = linking == null ? null : new Hostcall[linking.targets.length];
    }

    /**
     * A module's function imports, indexed once per module, so that each request's table makes only the hostcalls the
     * module imports, straight into import order: a request otherwise registered every hostcall of the ABI by name
     * (a sixth of a hello request's CPU at steady state).
     */
    public static final class Linking {
        /** Target module, then target function name, to the indices of the imports linked to it. */
        private final Map<String, Map<String, int[]>> slots = new HashMap<>();
        /** The {@code module.name} each import is linked to (a legacy name's target). */
        private final String[] targets;

        public Linking(List<FunctionImport> imports) {
            targets = new String[imports.size()];
            for (int i = 0; i < targets.length; i++) {
                String qualified = imports.get(i).qualifiedName();
                String target = LegacyAliases.all().getOrDefault(qualified, qualified);
                targets[i] = target;
                int dot = target.indexOf('.');
                if (dot < 0) {
                    continue;
                }
                int index = i;
                // Interned, as the registering code's names are: a lookup then compares references, not characters.
                slots.computeIfAbsent(target.substring(0, dot).intern(), m -> new HashMap<>())
                        .merge(target.substring(dot + 1).intern(), new int[] {i}, (a, b) -> {
                            int[] both = Arrays.copyOf(a, a.length + 1);
                            both[a.length] = index;
                            return both;
                        });
            }
        }

        /**
         * Where each registration of the first table made went, in the order of the registrations, which is the same for
         * every table: later tables take it from here instead of looking each name up.
         */
        private volatile Registrations registrations;

        /** The imports linked to {@code module.name}, or null when the module imports no such function. */
        int[] slots(String module, String name) {
            Map<String, int[]> names = slots.get(module);
            return names == null ? null : names.get(name);
        }
    }

    /** One registration: its names and where it went. */
    private record Registered(String module, String name, int[] slots) {}

    /** The registrations of a table, in order. */
    private record Registrations(Registered[] all) {}

    /** Which registration comes next. */
    private int registration;
    /** The first table of a linking records its registrations here. */
    private List<Registered> recording;

    /** All hostcall modules, bound to {@code sandbox}, by name. */
    public static HostcallTable forSandbox(Sandbox sandbox) {
        return forSandbox(sandbox, null);
    }

    /**
     * The hostcall modules bound to {@code sandbox}; with {@code linking}, only the functions that module imports, for
     * {@link #resolve(int, FunctionImport)}.
     */
    public static HostcallTable forSandbox(Sandbox sandbox, Linking linking) {
        HostcallTable table = new HostcallTable(sandbox.services().memoryLimit(), linking);
        if (linking != null && linking.registrations == null) {
            table.recording = new ArrayList<>();
        }
        new WasiHostcalls(sandbox).register(table);
        new AbiHostcalls(sandbox).register(table);
        new HttpReqHostcalls(sandbox).register(table);
        new HttpRespHostcalls(sandbox).register(table);
        new HttpBodyHostcalls(sandbox).register(table);
        new HttpDownstreamHostcalls(sandbox).register(table);
        new LogHostcalls(sandbox).register(table);
        new ConfigStoreHostcalls(sandbox).register(table);
        new AsyncIoHostcalls(sandbox).register(table);
        new BackendHostcalls(sandbox).register(table);
        new KvStoreHostcalls(sandbox).register(table);
        new ObjectStoreHostcalls(sandbox).register(table);
        new SecretStoreHostcalls(sandbox).register(table);
        new GeoHostcalls(sandbox).register(table);
        new ComputeRuntimeHostcalls(sandbox).register(table);
        new ErlHostcalls(sandbox).register(table);
        new AclHostcalls(sandbox).register(table);
        new DeviceDetectionHostcalls(sandbox).register(table);
        new UapHostcalls().register(table);
        new ImageOptimizerHostcalls().register(table);
        new ShieldingHostcalls(sandbox).register(table);
        new CacheHostcalls(sandbox).register(table);
        new CacheReplaceHostcalls(sandbox).register(table);
        new HttpCacheHostcalls(sandbox).register(table);
        new PurgeHostcalls(sandbox).register(table);
        if (table.recording != null) {
            linking.registrations = new Registrations(table.recording.toArray(new Registered[0]));
            table.recording = null;
        }
        return table;
    }

    /** Registers a {@code fastly_*} hostcall: {@code ok} when it returns, the exception's status when it throws. */
    void fastly(String module, String name, FastlyHostcall body) {
        int[] slots = slots(module, name);
        if (slots == NOT_IMPORTED) {
            return;
        }
        String qualified = qualified(module, name, slots);
        put(qualified, slots, (memory, args) -> {
            checkMemory(memory, qualified);
            try {
                body.call(memory, new FastlyHostcall.Args(args));
                return FastlyStatus.OK.code();
            } catch (HostcallException e) {
                if (log.isDebugEnabled()) {
                    log.debug("{} -> {}: {}", qualified, e.status(), e.getMessage());
                }
                return e.status().code();
            } catch (GuestExit | GuestTrapException e) {
                throw e;
            } catch (RuntimeException e) {
                log.warn("{} failed: {}", qualified, e.toString(), e);
                return FastlyStatus.ERROR.code();
            }
        });
        if (linking == null) {
            unsupported.remove(qualified);
        }
    }

    /** No import of the linked module is this function: nothing to register. */
    private static final int[] NOT_IMPORTED = new int[0];

    /** Where {@code module.name} goes: null when by name (no linking), else its imports' indices or NOT_IMPORTED. */
    private int[] slots(String module, String name) {
        if (linking == null) {
            return null;
        }
        int k = registration++;
        Registrations known = linking.registrations;
        if (known != null && k < known.all().length) {
            Registered r = known.all()[k];
            // By reference: the registering code passes constants; anything else is looked up below.
            if (r.module() == module && r.name() == name) {
                return r.slots();
            }
        }
        int[] slots = linking.slots(module, name);
        slots = slots == null ? NOT_IMPORTED : slots;
        if (recording != null) {
            recording.add(new Registered(module, name, slots));
        }
        return slots;
    }

    private String qualified(String module, String name, int[] slots) {
        return slots == null ? module + "." + name : linking.targets[slots[0]];
    }

    private void put(String qualified, int[] slots, Hostcall hostcall) {
        if (slots == null) {
            hostcalls.put(qualified, hostcall);
            return;
        }
        for (int slot : slots) {
            linked[slot] = hostcall;
        }
    }

    /**
     * Registers an ABI function that nothing local can stand in for: it answers {@code unsupported}, and the first call
     * in this process logs its name and {@code reason}.
     */
    void unsupported(String module, String name, String reason) {
        int[] slots = slots(module, name);
        if (slots == NOT_IMPORTED) {
            return;
        }
        String qualified = qualified(module, name, slots);
        put(qualified, slots, (memory, args) -> {
            reportOnce(qualified, reason);
            return FastlyStatus.UNSUPPORTED.code();
        });
        if (linking == null) {
            unsupported.put(qualified, reason);
        }
    }

    private static void reportOnce(String qualified, String reason) {
        if (REPORTED.add(qualified)) {
            log.warn("{} is not supported here ({}); the guest gets 'unsupported'", qualified, reason);
        }
    }

    /** Registers a hostcall that returns its own result (WASI errnos). */
    void raw(String module, String name, Hostcall hostcall) {
        int[] slots = slots(module, name);
        if (slots == NOT_IMPORTED) {
            return;
        }
        String qualified = qualified(module, name, slots);
        put(qualified, slots, (memory, args) -> {
            checkMemory(memory, qualified);
            try {
                return hostcall.call(memory, args);
            } catch (HostcallException e) {
                // No Fastly status to fail with (a buffer past the memory's end, say): the guest traps, told where.
                throw new GuestTrapException(qualified + ": " + e.getMessage(), e);
            }
        });
    }

    /**
     * Stops a guest whose linear memory has grown past the limit. Checked at every hostcall: engines differ in how (and
     * whether) they cap memory growth, and a Compute guest makes hostcalls often.
     */
    private void checkMemory(GuestMemory memory, String hostcall) {
        long size = memory.size();
        if (size > memoryLimit) {
            throw new GuestTrapException(
                    "guest stopped: its memory grew to " + (size >> 20) + " MiB, over the limit of "
                            + (memoryLimit >> 20) + " MiB (seen at " + hostcall
                            + "; raise it with --memory-limit)",
                    null);
        }
    }

    void onClose(Runnable closer) {
        closers.add(closer);
    }

    /** Flushes what hostcalls buffer (guest stdout lines); call when the guest has finished. */
    public void close() {
        closers.forEach(Runnable::run);
    }

    /** Whether {@code module.name} has a hostcall of its own here (an {@code unsupported} one counts). */
    public boolean implemented(String module, String name) {
        return hostcalls.containsKey(module + "." + name);
    }

    /** The names registered here ({@code module.name}), the unsupported ones included. */
    public Set<String> registered() {
        return Collections.unmodifiableSet(hostcalls.keySet());
    }

    /** The registered functions that answer {@code unsupported}, with the reason. */
    public Map<String, String> unsupportedReasons() {
        return Collections.unmodifiableMap(unsupported);
    }

    /**
     * Refuses a program that imports a function this server does not link: every ABI function, its legacy names and
     * WASI preview 1 are linked; anything else is named in the message, all at once. An ABI function imported with
     * another signature is refused the same way.
     *
     * @throws WasmLoadException naming each unknown or mismatched import
     */
    public static void checkImports(String program, List<FunctionImport> imports) {
        List<String> unknown = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (FunctionImport imp : imports) {
            String qualified = imp.qualifiedName();
            String target = LegacyAliases.all().getOrDefault(qualified, qualified);
            ComputeAbi.Function f = ComputeAbi.function(target);
            if (f != null) {
                if (f.params().size() != imp.paramCount() || imp.resultCount() != 1) {
                    mismatched.add(qualified + " (" + imp.paramCount() + " parameters, " + imp.resultCount()
                            + " results; expected: " + f.params().size() + " parameters, 1 result)");
                }
            } else if (!(imp.module().equals(WASI) && WasiHostcalls.NAMES.contains(imp.name()))) {
                unknown.add(qualified);
            }
        }
        if (unknown.isEmpty() && mismatched.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder(program).append(": cannot be linked:");
        if (!unknown.isEmpty()) {
            message.append(" it imports ")
                    .append(unknown.size())
                    .append(unknown.size() == 1 ? " function" : " functions")
                    .append(" this server does not know: ")
                    .append(String.join(", ", unknown))
                    .append(" (expected: functions of the Fastly Compute ABI or WASI preview 1;"
                            + " a program built for a newer ABI needs a newer Outpost)");
        }
        if (!mismatched.isEmpty()) {
            message.append(unknown.isEmpty() ? " " : "; ")
                    .append("imports with the wrong signature: ")
                    .append(String.join(", ", mismatched));
        }
        throw new WasmLoadException(message.toString(), null);
    }

    @Override
    public Hostcall resolve(FunctionImport function) {
        String qualified = function.qualifiedName();
        String target = LegacyAliases.all().getOrDefault(qualified, qualified);
        Hostcall hostcall;
        if (linking == null) {
            hostcall = hostcalls.get(target);
        } else {
            int dot = target.indexOf('.');
            int[] slots = dot < 0 ? null : linking.slots(target.substring(0, dot), target.substring(dot + 1));
            hostcall = slots == null ? null : linked[slots[0]];
        }
        return hostcall != null ? hostcall : missing(function);
    }

    /** With a {@link Linking}, {@code index} is the import's position in the module this table was linked for. */
    @Override
    public Hostcall resolve(int index, FunctionImport function) {
        if (linking == null) {
            return resolve(function);
        }
        Hostcall hostcall = linked[index];
        return hostcall != null ? hostcall : missing(function);
    }

    private static Hostcall missing(FunctionImport function) {
        String qualified = function.qualifiedName();
        // An ABI function without a hostcall of its own yet (checkImports let it through).
        boolean wasi = function.module().startsWith("wasi");
        return (memory, args) -> {
            reportOnce(qualified, "not implemented");
            // WASI's ENOSYS is 52; Fastly's unsupported is 5.
            return wasi ? 52 : FastlyStatus.UNSUPPORTED.code();
        };
    }
}
