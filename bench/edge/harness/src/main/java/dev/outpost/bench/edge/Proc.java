package dev.outpost.bench.edge;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Reads a process's memory and CPU time from Linux's {@code /proc}. */
final class Proc {
    /** Clock ticks per second of {@code /proc/<pid>/stat} times (USER_HZ, 100 on Linux). */
    private static final long HZ = 100;

    private Proc() {}

    static long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    static long cpuMillis(long pid) {
        return ticks(Path.of("/proc/" + pid + "/stat")) * 1000 / HZ;
    }

    /** utime + stime of one stat file. */
    private static long ticks(Path stat) {
        try {
            String s = Files.readString(stat);
            // The name (field 2) may hold spaces; fields after it are space separated.
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static String threadName(Path task) {
        try {
            return Files.readString(task.resolve("comm")).strip();
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Nanoseconds on CPU so far (from {@code schedstat}, exact, unlike the 10 ms ticks of {@code stat}) of the threads
     * whose names start with one of {@code prefixes}. Threads are looked up by name once and remembered in {@code
     * names} (thread id to name).
     */
    static long cpuNanos(long pid, Map<String, String> names, String... prefixes) {
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String name = names.computeIfAbsent(task.getFileName().toString(), t -> threadName(task));
                for (String prefix : prefixes) {
                    if (name.startsWith(prefix)) {
                        try {
                            String sched = Files.readString(task.resolve("schedstat"));
                            total += Long.parseLong(sched.substring(0, sched.indexOf(' ')));
                        } catch (IOException | RuntimeException e) {
                            // thread gone
                        }
                        break;
                    }
                }
            }
        } catch (IOException e) {
            // gone
        }
        return total;
    }

    /** CPU ms per thread group: thread names with their trailing numbers dropped. */
    static TreeMap<String, Long> cpuByThreadGroup(long pid) {
        TreeMap<String, Long> byGroup = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                String group = threadName(task).replaceAll("[-# ]*[0-9]+$", "");
                byGroup.merge(group, ticks(task.resolve("stat")) * 1000 / HZ, Long::sum);
            }
        } catch (IOException e) {
            // gone
        }
        return byGroup;
    }
}
