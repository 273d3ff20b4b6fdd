package dev.outpost.edge.engine;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The few C library functions {@link WrittenPages} calls, through the JDK's foreign function API. This module compiles
 * for JDK 21, where that API is still a preview, so it is reached by reflection, once, and only on JDK 22 or later;
 * every handle takes and returns primitives (addresses as {@code long}), so calls are plain {@code invokeExact}.
 */
final class ForeignCalls {
    /** {@code long syscall(long number, long arg)}. */
    final MethodHandle syscall;
    /** {@code int ioctl(int fd, long request, long argp)}. */
    final MethodHandle ioctl;
    /** {@code int open(long path, int flags)}. */
    final MethodHandle open;
    /** {@code int close(int fd)}. */
    final MethodHandle close;
    /** {@code long memcpy(long to, long from, long bytes)}. */
    final MethodHandle memcpy;

    private ForeignCalls() throws ReflectiveOperationException {
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
        Object i64 = valueLayout.getField("JAVA_LONG").get(null);
        Object i32 = valueLayout.getField("JAVA_INT").get(null);
        Method descriptor = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
        Method find = lookupType.getMethod("find", String.class);
        Method variadic = optionType.getMethod("firstVariadicArg", int.class);
        Method downcall = linkerType.getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType());

        record Handle(String name, Object result, Object[] args, int firstVariadic) {}
        Handle[] handles = {
            new Handle("syscall", i64, new Object[] {i64, i64}, 1),
            new Handle("ioctl", i32, new Object[] {i32, i64, i64}, 2),
            new Handle("open", i32, new Object[] {i64, i32}, 2),
            new Handle("close", i32, new Object[] {i32}, -1),
            new Handle("memcpy", i64, new Object[] {i64, i64, i64}, -1),
        };
        MethodHandle[] made = new MethodHandle[handles.length];
        for (int h = 0; h < handles.length; h++) {
            Handle handle = handles[h];
            Object args = Array.newInstance(layoutType, handle.args().length);
            for (int a = 0; a < handle.args().length; a++) {
                Array.set(args, a, handle.args()[a]);
            }
            Object options = Array.newInstance(optionType, handle.firstVariadic() < 0 ? 0 : 1);
            if (handle.firstVariadic() >= 0) {
                Array.set(options, 0, variadic.invoke(null, handle.firstVariadic()));
            }
            Object symbol = ((Optional<?>) find.invoke(lookup, handle.name()))
                    .orElseThrow(() -> new NoSuchMethodException("no C function " + handle.name()));
            made[h] = (MethodHandle)
                    downcall.invoke(linker, symbol, descriptor.invoke(null, handle.result(), args), options);
        }
        syscall = made[0];
        ioctl = made[1];
        open = made[2];
        close = made[3];
        memcpy = made[4];
    }

    /** The calls, or empty before JDK 22 or where the JDK cannot link them (the reason logged by the caller). */
    static ForeignCalls load() throws ReflectiveOperationException {
        if (Runtime.version().feature() < 22) {
            throw new ClassNotFoundException("the foreign function API needs JDK 22 or later");
        }
        // Without the JVM's consent the JDK prints a warning on the first native call: ask for it, do not warn.
        Module module = ForeignCalls.class.getModule();
        if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module)) {
            throw new IllegalAccessException("native access is not enabled (JVM option --enable-native-access="
                    + (module.isNamed() ? module.getName() : "ALL-UNNAMED") + ")");
        }
        return new ForeignCalls();
    }

    /** A zeroed direct buffer in native byte order, for structures the kernel reads and writes. */
    static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }

    /**
     * Where a direct buffer's content starts (not its position). Needs JDK 22 or later, as every caller has checked
     * ({@link #load}, {@link NativeViews}).
     */
    static long addressOf(ByteBuffer direct) {
        try {
            return (long) Segments.ADDRESS.invoke(
                    Segments.OF_BUFFER.invoke(null, direct.duplicate().clear()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("address of a direct buffer", e);
        }
    }

    /** {@code MemorySegment.ofBuffer} and {@code address}, looked up on first use. */
    private static final class Segments {
        static final Method OF_BUFFER;
        static final Method ADDRESS;

        static {
            try {
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                OF_BUFFER = segment.getMethod("ofBuffer", Buffer.class);
                ADDRESS = segment.getMethod("address");
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
