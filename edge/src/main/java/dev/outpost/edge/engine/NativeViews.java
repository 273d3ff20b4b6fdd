package dev.outpost.edge.engine;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Byte buffers over native memory at a known address, through the JDK's foreign memory API. As in {@link ForeignCalls},
 * this module compiles for JDK 21, where that API is still a preview: it is reached by reflection, once, and only on JDK
 * 22 or later with native access enabled. Whoever asks for a view must keep the memory alive while the view is used.
 */
final class NativeViews {
    private static final Logger log = LoggerFactory.getLogger(NativeViews.class);

    /** The views, or null where the JDK cannot make them (the reason logged once, at debug level). */
    static final NativeViews INSTANCE = load();

    /** {@code (long address, long bytes) -> ByteBuffer}: ofAddress, reinterpret, asByteBuffer. */
    private final MethodHandle view;

    private NativeViews(MethodHandle view) {
        this.view = view;
    }

    private static NativeViews load() {
        try {
            if (Runtime.version().feature() < 22) {
                throw new ClassNotFoundException("the foreign memory API needs JDK 22 or later");
            }
            Module module = NativeViews.class.getModule();
            if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module)) {
                throw new IllegalAccessException("native access is not enabled");
            }
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle ofAddress =
                    lookup.findStatic(segment, "ofAddress", MethodType.methodType(segment, long.class));
            // A restricted method: the JVM checks the caller's module, which is this one.
            MethodHandle reinterpret =
                    lookup.findVirtual(segment, "reinterpret", MethodType.methodType(segment, long.class));
            MethodHandle asByteBuffer =
                    lookup.findVirtual(segment, "asByteBuffer", MethodType.methodType(ByteBuffer.class));
            // (address, bytes) -> ofAddress(address).reinterpret(bytes).asByteBuffer()
            MethodHandle sized = MethodHandles.filterArguments(reinterpret, 0, ofAddress);
            MethodHandle view = MethodHandles.filterReturnValue(sized, asByteBuffer);
            NativeViews views = new NativeViews(view);
            // One view of a buffer this class owns proves the chain works before any guest relies on it.
            ByteBuffer probe = ForeignCalls.buffer(8).order(ByteOrder.LITTLE_ENDIAN);
            probe.putLong(0, 0x0102030405060708L);
            ByteBuffer seen = views.view(ForeignCalls.addressOf(probe), 8);
            if (seen.getLong(0) != 0x0102030405060708L) {
                throw new IllegalStateException("a view does not show the memory it was made for");
            }
            return views;
        } catch (Throwable e) {
            log.debug("no views of native memory ({}): hostcalls go through the polyglot buffer API", e.toString());
            return null;
        }
    }

    /** A little-endian view of {@code bytes} bytes from {@code address}. */
    ByteBuffer view(long address, int bytes) {
        try {
            return ((ByteBuffer) view.invoke(address, (long) bytes)).order(ByteOrder.LITTLE_ENDIAN);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("view of native memory", e);
        }
    }
}
