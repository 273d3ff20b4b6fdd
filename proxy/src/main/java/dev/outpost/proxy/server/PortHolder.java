package dev.outpost.proxy.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Who listens on a TCP port, for "cannot start" messages: the listening sockets in {@code /proc/net/tcp} and
 * {@code tcp6}, the process whose open files include one of them, and what that process runs. Linux only; anywhere
 * else, or when the answer is not readable (another user's process), the answer is empty or less precise.
 */
public final class PortHolder {
    private static final Path PROC = Path.of("/proc");
    /** {@code st} of a listening socket in {@code /proc/net/tcp}. */
    private static final String LISTEN = "0A";

    private PortHolder() {}

    /** Says who holds {@code port}, e.g. {@code "outpost serve (pid 4242)"}; empty when that cannot be told. */
    public static Optional<String> describe(int port) {
        return describe(PROC, port);
    }

    static Optional<String> describe(Path proc, int port) {
        if (port <= 0) {
            return Optional.empty();
        }
        Set<String> inodes = new HashSet<>();
        String uid = null;
        for (String table : List.of("net/tcp", "net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(proc.resolve(table), StandardCharsets.US_ASCII);
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !LISTEN.equals(f[3])) {
                    continue;
                }
                int colon = f[1].lastIndexOf(':');
                if (colon < 0 || parsePort(f[1].substring(colon + 1)) != port) {
                    continue;
                }
                inodes.add(f[9]);
                uid = f[7];
            }
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> owner = owner(proc, inodes);
        if (owner.isPresent()) {
            return owner;
        }
        return Optional.of("a process of another user (uid " + uid + ")");
    }

    private static int parsePort(String hex) {
        try {
            return Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The first process with one of the sockets open, described by its command line. */
    private static Optional<String> owner(Path proc, Set<String> inodes) {
        try (DirectoryStream<Path> pids =
                Files.newDirectoryStream(proc, p -> isNumber(p.getFileName().toString()))) {
            for (Path pid : pids) {
                if (holdsOne(pid.resolve("fd"), inodes)) {
                    return Optional.of(command(pid) + " (pid " + pid.getFileName() + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: nothing to tell
        }
        return Optional.empty();
    }

    private static boolean holdsOne(Path fds, Set<String> inodes) {
        try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
            for (Path link : links) {
                String target;
                try {
                    target = Files.readSymbolicLink(link).toString();
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                if (target.startsWith("socket:[")
                        && inodes.contains(target.substring("socket:[".length(), target.length() - 1))) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // another user's process, or gone
        }
        return false;
    }

    /** {@code outpost SUBCOMMAND} for an Outpost JVM, else the program's name. */
    static String command(Path pid) {
        List<String> args;
        try {
            args = List.of(new String(Files.readAllBytes(pid.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException e) {
            return "a process";
        }
        if (args.isEmpty() || args.get(0).isEmpty()) {
            return "a process";
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean outpostJar = a.endsWith("outpost.jar") || a.equals("dev.outpost.cli.Main");
            if (outpostJar) {
                for (int j = i + 1; j < args.size(); j++) {
                    if (!args.get(j).startsWith("-")) {
                        return "outpost " + args.get(j);
                    }
                }
                return "outpost";
            }
        }
        String program = Path.of(args.get(0)).getFileName().toString();
        if (program.equals("java") || program.startsWith("python") || program.equals("node")) {
            // the interpreter alone says little: add what it runs
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("-") && !a.isEmpty()) {
                    return program + " " + Path.of(a).getFileName();
                }
            }
        }
        return program;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The reason of a failed bind in words, from the JDK's or the native transport's exception. */
    public static String bindReason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("address already in use")) {
                return "address already in use";
            }
            if (m.contains("permission denied") || m.contains("access denied")) {
                return "permission denied (ports below 1024 need privileges)";
            }
            if (m.contains("cannot assign requested address")) {
                return "no such local address";
            }
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "cannot bind" : m;
    }

    /** True when the bind failed because something else listens there. */
    public static boolean inUse(Throwable e) {
        return bindReason(e).equals("address already in use");
    }
}
