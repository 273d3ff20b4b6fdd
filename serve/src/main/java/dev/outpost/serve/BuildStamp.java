package dev.outpost.serve;

import dev.outpost.edge.server.EdgeProject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * What the last build of a project was made from: a SHA-256 of its inputs (every file of the project folder but
 * dependencies, build output and VCS folders, plus the build command) and the program it produced, kept in
 * {@code bin/.outpost-build} next to {@code bin/main.wasm}. {@code serve} builds only when one of them differs; a
 * content hash and not file times, because a checkout, a copy or a build tool's temporary file changes times without
 * changing what gets built (issue #18).
 */
final class BuildStamp {
    /** Folders that are not inputs: dependencies, build output, VCS and editor folders. */
    static final Set<String> IGNORED = Set.of("node_modules", ".git", "bin", "pkg", "target", ".idea", ".vscode");

    static final String FILE = ".outpost-build";

    private final String inputs;
    private final String program;

    private BuildStamp(String inputs, String program) {
        this.inputs = inputs;
        this.program = program;
    }

    /** Where the stamp of {@code project} lives. */
    static Path file(EdgeProject project) {
        return project.wasm().resolveSibling(FILE);
    }

    /** The stamp the project would have after a build now (the program's hash empty when there is none). */
    static BuildStamp current(EdgeProject project, Path manifest, String script) throws IOException {
        return new BuildStamp(inputsHash(project, manifest, script), programHash(project.wasm()));
    }

    /** The stamp written by the last build, or null. */
    static BuildStamp read(EdgeProject project) {
        Path f = file(project);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        String inputs = p.getProperty("inputs");
        String program = p.getProperty("program");
        return inputs == null || program == null ? null : new BuildStamp(inputs, program);
    }

    /** Records a build: the inputs as hashed before it ran, the program as it is now. */
    static void write(EdgeProject project, String inputs) throws IOException {
        Path f = file(project);
        String text = "# outpost serve: what bin/main.wasm was last built from. The next start builds again when the"
                + " project's files change;\n# `outpost serve --force-build` (or deleting this file) builds anyway.\n"
                + "inputs=" + inputs + "\nprogram=" + programHash(project.wasm()) + "\n";
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.UTF_8);
    }

    String inputs() {
        return inputs;
    }

    /** True when {@code other} describes the same inputs and the same, existing program. */
    boolean sameAs(BuildStamp other) {
        return other != null && !program.isEmpty() && inputs.equals(other.inputs) && program.equals(other.program);
    }

    static String inputsHash(EdgeProject project, Path manifest, String script) throws IOException {
        List<Path> files = new ArrayList<>();
        Path root = project.dir().toAbsolutePath().normalize();
        // the build's own output, wherever the program goes
        Path program = project.wasm().toAbsolutePath().normalize();
        Path stamp = file(project).toAbsolutePath().normalize();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return !d.equals(root) && IGNORED.contains(d.getFileName().toString())
                        ? FileVisitResult.SKIP_SUBTREE
                        : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !f.equals(program) && !f.equals(stamp)) {
                    files.add(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                // a file that vanished while walking (a build tool's temporary file) is no input
                return FileVisitResult.CONTINUE;
            }
        });
        if (manifest != null) {
            Path m = manifest.toAbsolutePath().normalize();
            if (!m.startsWith(root) && Files.isRegularFile(m)) {
                files.add(m);
            }
        }
        files.sort(null);
        MessageDigest all = sha256();
        all.update(("script\0" + (script == null ? "" : script) + "\0").getBytes(StandardCharsets.UTF_8));
        for (Path f : files) {
            byte[] content;
            try {
                content = Files.readAllBytes(f);
            } catch (NoSuchFileException e) {
                continue;
            }
            String name = f.startsWith(root) ? root.relativize(f).toString() : f.toString();
            all.update((name + "\0" + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            all.update(content);
        }
        return HexFormat.of().formatHex(all.digest());
    }

    /**
     * The program as the build left it: its size and modification time, or "" when there is none. The build wrote it
     * and nothing else should; a file in {@code bin/} is no checkout. (Hashing 11 MB on every start cost more.)
     */
    static String programHash(Path wasm) throws IOException {
        if (!Files.isRegularFile(wasm)) {
            return "";
        }
        BasicFileAttributes a = Files.readAttributes(wasm, BasicFileAttributes.class);
        return a.size() + "@" + a.lastModifiedTime().toInstant();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
