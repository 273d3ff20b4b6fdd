package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.sandbox.GuestCpu;
import dev.outpost.edge.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code wasi_snapshot_preview1}, the part a Compute guest may use: arguments, the {@code FASTLY_*} environment,
 * clocks, randomness, stdout/stderr (as {@code stdout :: …} log lines) and exit. There is no file system: no preopened
 * directories, so path calls fail with {@code badf}. Implemented here rather than by each engine so both behave alike.
 */
final class WasiHostcalls {
    private static final String M = "wasi_snapshot_preview1";
    private static final int SUCCESS = 0;
    private static final int BADF = 8;
    private static final int INVAL = 28;
    private static final int SPIPE = 70;
    private static final int NOSYS = 52;
    private static final int NOTSOCK = 57;

    /** Every WASI preview 1 function, all of which are linked (Viceroy links them all too). */
    static final Set<String> NAMES = Set.of(
            "args_get",
            "args_sizes_get",
            "environ_get",
            "environ_sizes_get",
            "clock_res_get",
            "clock_time_get",
            "fd_advise",
            "fd_allocate",
            "fd_close",
            "fd_datasync",
            "fd_fdstat_get",
            "fd_fdstat_set_flags",
            "fd_fdstat_set_rights",
            "fd_filestat_get",
            "fd_filestat_set_size",
            "fd_filestat_set_times",
            "fd_pread",
            "fd_prestat_get",
            "fd_prestat_dir_name",
            "fd_pwrite",
            "fd_read",
            "fd_readdir",
            "fd_renumber",
            "fd_seek",
            "fd_sync",
            "fd_tell",
            "fd_write",
            "path_create_directory",
            "path_filestat_get",
            "path_filestat_set_times",
            "path_link",
            "path_open",
            "path_readlink",
            "path_remove_directory",
            "path_rename",
            "path_symlink",
            "path_unlink_file",
            "poll_oneoff",
            "proc_exit",
            "proc_raise",
            "sched_yield",
            "random_get",
            "sock_accept",
            "sock_recv",
            "sock_send",
            "sock_shutdown");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Sandbox s;
    private final List<byte[]> args;
    private final List<byte[]> env = new ArrayList<>();
    private final ByteArrayOutputStream[] pending = {null, new ByteArrayOutputStream(), new ByteArrayOutputStream()};

    WasiHostcalls(Sandbox sandbox) {
        this.s = sandbox;
        this.args = sandbox.services().guestArgs().stream()
                .map(a -> a.getBytes(StandardCharsets.UTF_8))
                .toList();
        for (Map.Entry<String, String> e : sandbox.environment().entrySet()) {
            env.add((e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.UTF_8));
        }
    }

    void register(HostcallTable t) {
        t.onClose(this::flush);
        t.raw(M, "args_sizes_get", (m, a) -> sizes(m, args, (int) a[0], (int) a[1]));
        t.raw(M, "args_get", (m, a) -> strings(m, args, (int) a[0], (int) a[1]));
        t.raw(M, "environ_sizes_get", (m, a) -> sizes(m, env, (int) a[0], (int) a[1]));
        t.raw(M, "environ_get", (m, a) -> strings(m, env, (int) a[0], (int) a[1]));
        t.raw(M, "clock_res_get", (m, a) -> {
            m.writeI64((int) a[1], 1_000);
            return SUCCESS;
        });
        t.raw(M, "clock_time_get", (m, a) -> {
            long now = switch ((int) a[0]) {
                case 0 -> {
                    Instant i = Instant.now();
                    yield i.getEpochSecond() * 1_000_000_000L + i.getNano();
                }
                case 1, 2, 3 -> System.nanoTime();
                default -> -1;
            };
            if (now == -1) {
                return INVAL;
            }
            m.writeI64((int) a[2], now);
            return SUCCESS;
        });
        t.raw(M, "fd_write", (m, a) -> {
            int fd = (int) a[0];
            if (fd != 1 && fd != 2) {
                return BADF;
            }
            int total = 0;
            for (int i = 0; i < (int) a[2]; i++) {
                int iov = (int) a[1] + 8 * i;
                int ptr = m.readI32(iov);
                int len = m.readI32(iov + 4);
                byte[] bytes = m.read(ptr, len);
                output(fd, bytes);
                total += len;
            }
            m.writeI32((int) a[3], total);
            return SUCCESS;
        });
        t.raw(M, "fd_read", (m, a) -> {
            if ((int) a[0] != 0) {
                return BADF;
            }
            m.writeI32((int) a[3], 0);
            return SUCCESS;
        });
        t.raw(M, "fd_fdstat_get", (m, a) -> {
            int fd = (int) a[0];
            if (fd < 0 || fd > 2) {
                return BADF;
            }
            int stat = (int) a[1];
            m.writeI8(stat, (byte) 2); // character device
            m.writeI16(stat + 2, (short) 0);
            m.writeI64(stat + 8, fd == 0 ? 0x2L : 0x40L); // fd_read or fd_write rights
            m.writeI64(stat + 16, 0);
            return SUCCESS;
        });
        t.raw(M, "fd_fdstat_set_flags", (m, a) -> (int) a[0] >= 0 && (int) a[0] <= 2 ? SUCCESS : BADF);
        t.raw(M, "fd_close", (m, a) -> (int) a[0] >= 0 && (int) a[0] <= 2 ? SUCCESS : BADF);
        t.raw(M, "fd_seek", (m, a) -> (int) a[0] >= 0 && (int) a[0] <= 2 ? SPIPE : BADF);
        for (String noFs : new String[] {
            "fd_prestat_get",
            "fd_prestat_dir_name",
            "fd_readdir",
            "path_filestat_get",
            "path_open",
            "path_remove_directory",
            "path_unlink_file",
            "path_create_directory",
            "path_rename",
            "path_readlink",
            "path_symlink",
            "path_link",
            "path_filestat_set_times",
            "fd_filestat_get",
            "fd_filestat_set_size",
            "fd_pread",
            "fd_pwrite",
            "fd_sync",
            "fd_datasync",
            "fd_advise",
            "fd_allocate",
            "fd_renumber",
            "fd_tell",
            "fd_filestat_set_times"
        }) {
            t.raw(M, noFs, (m, a) -> BADF);
        }
        t.raw(M, "fd_fdstat_set_rights", (m, a) -> (int) a[0] >= 0 && (int) a[0] <= 2 ? SUCCESS : BADF);
        // No sockets are handed to a guest; raising signals is not part of the sandbox.
        for (String sock : new String[] {"sock_accept", "sock_recv", "sock_send", "sock_shutdown"}) {
            t.raw(M, sock, (m, a) -> NOTSOCK);
        }
        t.raw(M, "proc_raise", (m, a) -> NOSYS);
        t.raw(M, "poll_oneoff", this::pollOneoff);
        t.raw(M, "sched_yield", (m, a) -> SUCCESS);
        t.raw(M, "proc_exit", (m, a) -> {
            flush();
            throw new GuestExit((int) a[0]);
        });
        t.raw(M, "random_get", (m, a) -> {
            byte[] bytes = new byte[(int) a[1]];
            RANDOM.nextBytes(bytes);
            m.write((int) a[0], bytes);
            return SUCCESS;
        });
    }

    private static int sizes(GuestMemory m, List<byte[]> values, int countPtr, int sizePtr) {
        int size = 0;
        for (byte[] v : values) {
            size += v.length + 1;
        }
        m.writeI32(countPtr, values.size());
        m.writeI32(sizePtr, size);
        return SUCCESS;
    }

    private static int strings(GuestMemory m, List<byte[]> values, int pointers, int buffer) {
        int at = buffer;
        for (int i = 0; i < values.size(); i++) {
            byte[] v = values.get(i);
            m.writeI32(pointers + 4 * i, at);
            m.write(at, v);
            m.writeI8(at + v.length, (byte) 0);
            at += v.length + 1;
        }
        return SUCCESS;
    }

    /** Clock subscriptions sleep until the earliest deadline; fd subscriptions are always ready. */
    private int pollOneoff(GuestMemory m, long[] a) {
        int in = (int) a[0];
        int out = (int) a[1];
        int count = (int) a[2];
        long sleepNanos = Long.MAX_VALUE;
        boolean anyFd = false;
        for (int i = 0; i < count; i++) {
            int sub = in + 48 * i;
            byte tag = m.read(sub + 8, 1)[0];
            if (tag == 0) {
                long timeout = ByteBuffer.wrap(m.read(sub + 24, 8))
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getLong();
                int flags = m.read(sub + 40, 1)[0] & 1;
                long relative = flags == 1 ? timeout - System.nanoTime() : timeout;
                sleepNanos = Math.min(sleepNanos, Math.max(0, relative));
            } else {
                anyFd = true;
            }
        }
        if (!anyFd && sleepNanos != Long.MAX_VALUE && sleepNanos > 0) {
            try (GuestCpu.Slot away = GuestCpu.waiting()) {
                Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
            } catch (InterruptedException e) {
                throw Guest.interrupted("poll_oneoff", e);
            }
        }
        for (int i = 0; i < count; i++) {
            int sub = in + 48 * i;
            int event = out + 32 * i;
            m.write(event, m.read(sub, 8));
            m.writeI16(event + 8, (short) 0);
            m.writeI8(event + 10, m.read(sub + 8, 1)[0]);
            m.writeI64(event + 16, 0);
            m.writeI64(event + 24, 0);
        }
        m.writeI32((int) a[3], count);
        return SUCCESS;
    }

    private void output(int fd, byte[] bytes) {
        ByteArrayOutputStream buffer = pending[fd];
        for (byte b : bytes) {
            if (b == '\n') {
                emit(fd, buffer);
            } else {
                buffer.write(b);
            }
        }
    }

    private void emit(int fd, ByteArrayOutputStream buffer) {
        s.services().logSink().line(fd == 1 ? "stdout" : "stderr", buffer.toString(StandardCharsets.UTF_8));
        buffer.reset();
    }

    /** Writes out a last line that had no newline. */
    void flush() {
        for (int fd = 1; fd <= 2; fd++) {
            if (pending[fd].size() > 0) {
                emit(fd, pending[fd]);
            }
        }
    }
}
