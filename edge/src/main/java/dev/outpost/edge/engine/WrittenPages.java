package dev.outpost.edge.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pages of a linear memory that runs wrote, as the kernel tracks them, so that a reset copies back only those
 * instead of the whole initial memory (a hello request writes 98 of a JS app's 1,872 pages).
 *
 * <p>The memory's whole pages are registered with a userfaultfd in asynchronous write-protect mode (Linux 6.7+): the
 * first write to a protected page clears its protection in the kernel, with no thread to answer a fault, and
 * {@code /proc/self/pagemap}'s {@code PAGEMAP_SCAN} lists the pages that are not protected. The pages a run wrote stay
 * unprotected after the reset copies them, and are copied at every reset until all are protected again, every
 * {@value #PROTECT_EVERY} resets: most of them are written by every request (the stack, the allocator's first chunks),
 * and copying a page back costs a fraction of the fault that protecting it again would bring. The partial pages at
 * the memory's two ends are copied every time.
 *
 * <p>Safe by construction: every scan asks the kernel to fail when a page of the range is not under asynchronous
 * write protection (say the range was unregistered), and a reset that fails is done in full by the caller.
 */
final class WrittenPages {
    private static final Logger log = LoggerFactory.getLogger(WrittenPages.class);

    /** Resets between two protections of every written page. */
    static final int PROTECT_EVERY = 16;

    private static final long PAGE = 4096;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final long UFFD_USER_MODE_ONLY = 1;
    private static final long UFFD_API = 0xAA;
    private static final long UFFD_FEATURE_WP_UNPOPULATED = 1L << 13;
    private static final long UFFD_FEATURE_WP_ASYNC = 1L << 15;
    private static final long UFFDIO_REGISTER_MODE_WP = 2;
    private static final long UFFDIO_WRITEPROTECT_MODE_WP = 1;
    private static final long UFFDIO_WRITEPROTECT_IOCTL_BIT = 1L << 6;
    // _IOWR(0xAA, nr, size) and _IOR(0xAA, 1, 16); the same numbers on x86-64 and arm64.
    private static final long UFFDIO_API = 0xC018AA3FL;
    private static final long UFFDIO_REGISTER = 0xC020AA00L;
    private static final long UFFDIO_UNREGISTER = 0x8010AA01L;
    private static final long UFFDIO_WRITEPROTECT = 0xC018AA06L;
    // _IOWR('f', 16, struct pm_scan_arg)
    private static final long PAGEMAP_SCAN = 0xC0606610L;
    private static final long PM_SCAN_WP_MATCHING = 1;
    private static final long PM_SCAN_CHECK_WPASYNC = 2;
    private static final long PAGE_IS_WRITTEN = 2;
    private static final int SCAN_ARG_BYTES = 96;
    private static final int REGION_BYTES = 24;
    /** Regions one scan can report; a memory with more is scanned in several calls. */
    private static final int REGIONS = 256;

    /** The process's userfaultfd and pagemap, or why there are none. */
    private static final class Kernel {
        static final Kernel INSTANCE = open();

        final ForeignCalls calls;
        final int uffd;
        final int pagemap;
        final String unavailable;

        private Kernel(ForeignCalls calls, int uffd, int pagemap, String unavailable) {
            this.calls = calls;
            this.uffd = uffd;
            this.pagemap = pagemap;
            this.unavailable = unavailable;
        }

        private static Kernel open() {
            if (!"Linux".equals(System.getProperty("os.name"))) {
                return unavailable("not Linux");
            }
            long syscall = switch (System.getProperty("os.arch")) {
                case "amd64", "x86_64" -> 323;
                case "aarch64" -> 282;
                default -> -1;
            };
            if (syscall < 0) {
                return unavailable("no userfaultfd system call number for " + System.getProperty("os.arch"));
            }
            ForeignCalls calls;
            try {
                calls = ForeignCalls.load();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return unavailable("no foreign function access (" + e + ")");
            }
            try {
                // User-mode faults only: what an unprivileged process may ask for (vm.unprivileged_userfaultfd=0).
                int uffd = (int) (long) calls.syscall.invokeExact(syscall, (long) O_CLOEXEC | UFFD_USER_MODE_ONLY);
                if (uffd < 0) {
                    return unavailable("userfaultfd failed");
                }
                ByteBuffer api = ForeignCalls.buffer(24);
                api.putLong(0, UFFD_API).putLong(8, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);
                if ((int) calls.ioctl.invokeExact(uffd, UFFDIO_API, ForeignCalls.addressOf(api)) != 0) {
                    int ignored = (int) calls.close.invokeExact(uffd);
                    return unavailable("no asynchronous write protection (Linux 6.7 or later)");
                }
                ByteBuffer path = ForeignCalls.buffer(32);
                path.put("/proc/self/pagemap".getBytes(StandardCharsets.US_ASCII))
                        .put((byte) 0);
                int pagemap = (int) calls.open.invokeExact(ForeignCalls.addressOf(path), O_RDONLY | O_CLOEXEC);
                if (pagemap < 0) {
                    int ignored = (int) calls.close.invokeExact(uffd);
                    return unavailable("cannot open /proc/self/pagemap");
                }
                Kernel kernel = new Kernel(calls, uffd, pagemap, null);
                String probe = kernel.probe();
                if (probe != null) {
                    return unavailable(probe);
                }
                return kernel;
            } catch (Throwable e) {
                return unavailable(e.toString());
            }
        }

        private static Kernel unavailable(String why) {
            return new Kernel(null, -1, -1, why);
        }

        /** Tracks three pages of a buffer through one write; null when the kernel reported what was done. */
        private String probe() {
            ByteBuffer memory = ForeignCalls.buffer((int) (4 * PAGE));
            long address = ForeignCalls.addressOf(memory);
            WrittenPages pages = track(this, address, memory.capacity());
            if (pages == null) {
                return "cannot register memory for write protection";
            }
            try {
                ByteBuffer image = ForeignCalls.buffer(memory.capacity());
                long[] before = pages.written();
                memory.put((int) (pages.start - address + PAGE + 5), (byte) 1);
                long[] after = pages.written();
                if (before == null || after == null) {
                    return "PAGEMAP_SCAN failed (Linux 6.7 or later)";
                }
                if (before.length != 0 || after.length != 2 || after[0] != pages.start + PAGE) {
                    return "PAGEMAP_SCAN did not report one written page";
                }
                if (!pages.restore(ForeignCalls.addressOf(image))
                        || memory.get((int) (pages.start - address + PAGE + 5)) != 0) {
                    return "restoring a written page failed";
                }
                return null;
            } finally {
                pages.close();
            }
        }
    }

    /** A memory's initial content, copied off it before any code ran; freed with the last reference to it. */
    static final class Image {
        private final ByteBuffer bytes;
        final long address;

        private Image(ByteBuffer bytes, long address) {
            this.bytes = bytes;
            this.address = address;
        }

        /** A copy of {@code size} bytes at {@code address}, or null when writes are not tracked here. */
        static Image copyOf(long address, long size) {
            Kernel kernel = Kernel.INSTANCE;
            if (kernel.unavailable != null || size > Integer.MAX_VALUE) {
                return null;
            }
            ByteBuffer bytes = ForeignCalls.buffer((int) size);
            long to = ForeignCalls.addressOf(bytes);
            try {
                long ignored = (long) kernel.calls.memcpy.invokeExact(to, address, size);
            } catch (Throwable e) {
                return null;
            }
            return new Image(bytes, to);
        }

        long size() {
            return bytes.capacity();
        }
    }

    /** Why writes are not tracked here, or null when they are. */
    static String unavailable() {
        return Kernel.INSTANCE.unavailable;
    }

    private final Kernel kernel;
    private final long base;
    private final long size;
    /** The whole pages of the memory, the range registered. */
    private final long start;

    private final long end;
    private final ByteBuffer scan = ForeignCalls.buffer(SCAN_ARG_BYTES);
    private final ByteBuffer regions = ForeignCalls.buffer(REGIONS * REGION_BYTES);
    private final long scanAddress;
    private final long regionsAddress;
    private int resets;
    private boolean registered;

    private WrittenPages(Kernel kernel, long base, long size) {
        this.kernel = kernel;
        this.base = base;
        this.size = size;
        this.start = (base + PAGE - 1) & -PAGE;
        this.end = (base + size) & -PAGE;
        this.scanAddress = ForeignCalls.addressOf(scan);
        this.regionsAddress = ForeignCalls.addressOf(regions);
    }

    /**
     * Registers the memory at {@code address} and protects its pages: from now on its writes are tracked. Null when
     * writes cannot be tracked here, or the memory has no whole page.
     */
    static WrittenPages track(long address, long size) {
        Kernel kernel = Kernel.INSTANCE;
        return kernel.unavailable == null ? track(kernel, address, size) : null;
    }

    private static WrittenPages track(Kernel kernel, long address, long size) {
        WrittenPages pages = new WrittenPages(kernel, address, size);
        if (pages.end <= pages.start) {
            return null;
        }
        try {
            ByteBuffer register = ForeignCalls.buffer(32);
            register.putLong(0, pages.start).putLong(8, pages.end - pages.start).putLong(16, UFFDIO_REGISTER_MODE_WP);
            if ((int) kernel.calls.ioctl.invokeExact(kernel.uffd, UFFDIO_REGISTER, ForeignCalls.addressOf(register))
                            != 0
                    || (register.getLong(24) & UFFDIO_WRITEPROTECT_IOCTL_BIT) == 0) {
                return null;
            }
            pages.registered = true;
            ByteBuffer protect = ForeignCalls.buffer(24);
            protect.putLong(0, pages.start)
                    .putLong(8, pages.end - pages.start)
                    .putLong(16, UFFDIO_WRITEPROTECT_MODE_WP);
            if ((int) kernel.calls.ioctl.invokeExact(kernel.uffd, UFFDIO_WRITEPROTECT, ForeignCalls.addressOf(protect))
                    != 0) {
                pages.close();
                return null;
            }
            return pages;
        } catch (Throwable e) {
            log.debug("tracking writes to {} bytes at {}: {}", size, Long.toHexString(address), e.toString());
            pages.close();
            return null;
        }
    }

    /**
     * Copies back, from {@code image} (the memory's initial content, as long as the memory), every page written since
     * it was protected, and the partial pages at the ends. False when the kernel could not say which pages were written:
     * the memory is then partly restored, and the caller restores all of it.
     */
    boolean restore(Image image) {
        return restore(image.address);
    }

    /** Resets done by copying back the written pages, in this process. */
    static long restores() {
        return RESTORES.sum();
    }

    private static final LongAdder RESTORES = new LongAdder();

    private boolean restore(long image) {
        try {
            if (start > base) {
                memcpy(base, image, start - base);
            }
            if (base + size > end) {
                memcpy(end, image + (end - base), base + size - end);
            }
            long from = start;
            while (from < end) {
                int found = scan(from, PM_SCAN_CHECK_WPASYNC, REGIONS);
                if (found < 0) {
                    return false;
                }
                for (int i = 0; i < found; i++) {
                    long regionStart = regions.getLong(i * REGION_BYTES);
                    long regionEnd = regions.getLong(i * REGION_BYTES + 8);
                    memcpy(regionStart, image + (regionStart - base), regionEnd - regionStart);
                }
                long walkEnd = scan.getLong(32);
                if (walkEnd <= from) {
                    return false;
                }
                from = walkEnd;
            }
            if (++resets % PROTECT_EVERY == 0 && scan(start, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, 0) < 0) {
                return false;
            }
            RESTORES.increment();
            return true;
        } catch (Throwable e) {
            log.debug("restoring written pages: {}", e.toString());
            return false;
        }
    }

    /** The written (unprotected) page ranges as start, end pairs; null when the scan failed. For the probe and tests. */
    long[] written() {
        int found;
        try {
            found = scan(start, PM_SCAN_CHECK_WPASYNC, REGIONS);
        } catch (Throwable e) {
            return null;
        }
        if (found < 0) {
            return null;
        }
        long[] out = new long[found * 2];
        for (int i = 0; i < found; i++) {
            out[2 * i] = regions.getLong(i * REGION_BYTES);
            out[2 * i + 1] = regions.getLong(i * REGION_BYTES + 8);
        }
        return out;
    }

    /** One PAGEMAP_SCAN from {@code from} to the end for written pages: the regions reported, or -1. */
    private int scan(long from, long flags, int maxRegions) throws Throwable {
        scan.putLong(0, SCAN_ARG_BYTES)
                .putLong(8, flags)
                .putLong(16, from)
                .putLong(24, end)
                .putLong(32, 0)
                .putLong(40, maxRegions == 0 ? 0 : regionsAddress)
                .putLong(48, maxRegions)
                .putLong(56, 0)
                .putLong(64, 0)
                .putLong(72, PAGE_IS_WRITTEN)
                .putLong(80, 0)
                .putLong(88, PAGE_IS_WRITTEN);
        return (int) kernel.calls.ioctl.invokeExact(kernel.pagemap, PAGEMAP_SCAN, scanAddress);
    }

    private void memcpy(long to, long from, long bytes) throws Throwable {
        long ignored = (long) kernel.calls.memcpy.invokeExact(to, from, bytes);
    }

    /**
     * Stops tracking. Only while the memory is still allocated, at its address and size: the range may otherwise belong
     * to another memory by now, whose tracking this would end (its next reset would then be a full one).
     */
    void close() {
        if (!registered) {
            return;
        }
        registered = false;
        try {
            ByteBuffer range = ForeignCalls.buffer(16);
            range.putLong(0, start).putLong(8, end - start);
            int ignored =
                    (int) kernel.calls.ioctl.invokeExact(kernel.uffd, UFFDIO_UNREGISTER, ForeignCalls.addressOf(range));
        } catch (Throwable e) {
            log.debug("untracking writes: {}", e.toString());
        }
    }
}
