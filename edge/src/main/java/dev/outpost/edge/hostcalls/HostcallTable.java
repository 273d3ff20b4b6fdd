package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyHostcall;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.engine.ImportResolver;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import dev.outpost.edge.sandbox.Sandbox;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every hostcall of one sandbox by {@code module.name}. This is the one place where {@link HostcallException}s become
 * status codes. Imports the host does not implement link to a stub that returns {@code unsupported} and logs the name
 * once per process.
 */
public final class HostcallTable implements ImportResolver {
    private static final Logger log = LoggerFactory.getLogger(HostcallTable.class);
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();

    private final Map<String, Hostcall> hostcalls = new HashMap<>();
    private final java.util.List<Runnable> closers = new java.util.ArrayList<>();

    private final long memoryLimit;

    private HostcallTable(long memoryLimit) {
        this.memoryLimit = memoryLimit;
    }

    /** All hostcall modules, bound to {@code sandbox}. */
    public static HostcallTable forSandbox(Sandbox sandbox) {
        HostcallTable table = new HostcallTable(sandbox.services().memoryLimit());
        new WasiHostcalls(sandbox).register(table);
        new HttpReqHostcalls(sandbox).register(table);
        new HttpRespHostcalls(sandbox).register(table);
        new HttpBodyHostcalls(sandbox).register(table);
        new HttpDownstreamHostcalls(sandbox).register(table);
        new LogHostcalls(sandbox).register(table);
        new ConfigStoreHostcalls(sandbox).register(table);
        new AsyncIoHostcalls(sandbox).register(table);
        new BackendHostcalls(sandbox).register(table);
        new KvStoreHostcalls(sandbox).register(table);
        new SecretStoreHostcalls(sandbox).register(table);
        new GeoHostcalls(sandbox).register(table);
        new ComputeRuntimeHostcalls(sandbox).register(table);
        new ErlHostcalls(sandbox).register(table);
        new AclHostcalls(sandbox).register(table);
        new DeviceDetectionHostcalls(sandbox).register(table);
        new CacheHostcalls(sandbox).register(table);
        new CacheReplaceHostcalls(sandbox).register(table);
        new HttpCacheHostcalls(sandbox).register(table);
        new PurgeHostcalls(sandbox).register(table);
        return table;
    }

    /** Registers a {@code fastly_*} hostcall: {@code ok} when it returns, the exception's status when it throws. */
    void fastly(String module, String name, FastlyHostcall body) {
        String qualified = module + "." + name;
        hostcalls.put(qualified, (memory, args) -> {
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
    }

    /** Registers a hostcall that returns its own result (WASI errnos). */
    void raw(String module, String name, Hostcall hostcall) {
        String qualified = module + "." + name;
        hostcalls.put(qualified, (memory, args) -> {
            checkMemory(memory, qualified);
            return hostcall.call(memory, args);
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
                            + (memoryLimit >> 20) + " MiB (seen at " + hostcall + ")",
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

    public boolean implemented(String module, String name) {
        return hostcalls.containsKey(module + "." + name);
    }

    @Override
    public Hostcall resolve(FunctionImport function) {
        Hostcall hostcall = hostcalls.get(function.qualifiedName());
        if (hostcall != null) {
            return hostcall;
        }
        String qualified = function.qualifiedName();
        boolean wasi = function.module().startsWith("wasi");
        return (memory, args) -> {
            if (REPORTED.add(qualified)) {
                log.warn("{} is not supported here; the guest gets 'unsupported'", qualified);
            }
            // WASI's ENOSYS is 52; Fastly's unsupported is 5.
            return wasi ? 52 : FastlyStatus.UNSUPPORTED.code();
        };
    }
}
