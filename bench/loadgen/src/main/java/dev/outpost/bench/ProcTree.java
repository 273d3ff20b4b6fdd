package dev.outpost.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Memory and CPU of a process and all its descendants, read from /proc. */
final class ProcTree {
    /** Kernel clock ticks per second for utime/stime; 100 on every mainstream Linux build. */
    private static final double CLK_TCK = 100.0;

    record Sample(int processes, long rssKib, double cpuSeconds) {}

    private final long root;

    ProcTree(long root) {
        this.root = root;
    }

    Sample sample() {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] stat = stat(Long.parseLong(name));
                if (stat != null) {
                    children.computeIfAbsent(Long.parseLong(stat[1]), k -> new ArrayList<>())
                            .add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        List<Long> all = new ArrayList<>();
        List<Long> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.remove(todo.size() - 1);
            all.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        long rss = 0;
        double cpu = 0;
        int n = 0;
        for (long pid : all) {
            String[] stat = stat(pid);
            Long r = rssKib(pid);
            if (stat == null || r == null) {
                continue;
            }
            n++;
            rss += r;
            // fields after "(comm)": index 0 = state; utime and stime are fields 14 and 15 of the full line.
            cpu += (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / CLK_TCK;
        }
        return new Sample(n, rss, cpu);
    }

    /** Fields after the command name: [state, ppid, ...]; null when the process is gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Long rssKib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0L;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
