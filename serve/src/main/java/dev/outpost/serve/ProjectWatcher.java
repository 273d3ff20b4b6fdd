package dev.outpost.serve;

import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.server.EdgeProject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code serve --watch}: on a change in the project (after a second of quiet) rebuilds and loads the new program into
 * the running server, so connections held by the GRIP proxy stay open; a changed {@code fastly.toml} also regenerates
 * the proxy routes. Build output, dependencies and VCS folders are not watched. An event decides nothing by itself:
 * the build runs only when the project's files differ from those of the last build ({@link BuildStamp}), so the
 * build's own temporary files (js-compute-runtime writes {@code __input_bundled.js} into the project folder and moves
 * it away) or a save without changes trigger nothing (issue #18). A failed build is reported and the previous program
 * keeps serving.
 */
final class ProjectWatcher implements AutoCloseable {
    private static final Set<String> IGNORED = BuildStamp.IGNORED;
    private static final long QUIET_MS = 1000;

    private final ServeSession session;
    private final EdgeProject project;
    private final ServeOptions options;
    private final PrintStream out;
    private final PrintStream err;
    private final WatchService watch;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final Thread thread;

    private ProjectWatcher(
            ServeSession session, EdgeProject project, ServeOptions options, PrintStream out, PrintStream err)
            throws IOException {
        this.session = session;
        this.project = project;
        this.options = options;
        this.out = out;
        this.err = err;
        this.watch = FileSystems.getDefault().newWatchService();
        registerTree(project.dir());
        if (options.manifest() != null && options.manifest().toAbsolutePath().getParent() != null) {
            register(options.manifest().toAbsolutePath().getParent());
        }
        if (options.wasm() != null && options.wasm().toAbsolutePath().getParent() != null) {
            register(options.wasm().toAbsolutePath().getParent());
        }
        this.thread = Thread.ofPlatform().daemon().name("serve-watch").unstarted(this::loop);
    }

    static ProjectWatcher start(
            ServeSession session, EdgeProject project, ServeOptions options, PrintStream out, PrintStream err)
            throws ServeException {
        try {
            ProjectWatcher w = new ProjectWatcher(session, project, options, out, err);
            w.thread.start();
            return w;
        } catch (IOException e) {
            throw new ServeException(1, "--watch: cannot watch " + project.dir() + ": " + e.getMessage(), e);
        }
    }

    private void registerTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (!dir.equals(root) && IGNORED.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                register(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void register(Path dir) throws IOException {
        if (keys.containsValue(dir)) {
            return;
        }
        keys.put(
                dir.register(
                        watch,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE),
                dir);
    }

    private void loop() {
        Path manifest = session.manifestPath().toAbsolutePath().normalize();
        Path wasm = project.wasm().toAbsolutePath().normalize();
        try {
            while (true) {
                Set<Path> changed = new HashSet<>();
                collect(watch.take(), changed);
                // Let a burst of saves settle.
                WatchKey more;
                while ((more = watch.poll(QUIET_MS, TimeUnit.MILLISECONDS)) != null) {
                    collect(more, changed);
                }
                boolean manifestChanged = changed.contains(manifest);
                boolean wasmChanged = changed.contains(wasm);
                changed.removeIf(p -> p.equals(wasm) || ignored(p));
                if (!manifestChanged && changed.isEmpty() && !(wasmChanged && options.wasm() != null)) {
                    continue;
                }
                if (manifestChanged) {
                    changed.add(manifest);
                }
                rebuild(manifestChanged, manifest, changed);
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Stopped.
        }
    }

    private boolean ignored(Path p) {
        Path rel = project.dir().toAbsolutePath().normalize().relativize(p);
        for (Path part : rel) {
            if (IGNORED.contains(part.toString())) {
                return true;
            }
        }
        return false;
    }

    private void collect(WatchKey key, Set<Path> changed) {
        Path dir = keys.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
            if (dir != null && event.context() instanceof Path name) {
                Path full = dir.resolve(name).toAbsolutePath().normalize();
                changed.add(full);
                if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
                        && Files.isDirectory(full)
                        && !IGNORED.contains(name.toString())) {
                    try {
                        registerTree(full);
                    } catch (IOException e) {
                        err.println("outpost: --watch: cannot watch " + full + ": " + e.getMessage());
                    }
                }
            }
        }
        key.reset();
    }

    private void rebuild(boolean manifestChanged, Path manifest, Set<Path> changed) {
        try {
            LocalServerConfig local = project.localServer();
            EdgeProject current = project;
            if (manifestChanged) {
                FastlyManifest parsed = FastlyTomlParser.read(manifest);
                local = parsed.localServer();
                current = new EdgeProject(project.dir(), parsed, project.wasm());
                session.updateRoutes(local);
            }
            if (options.wasm() == null) {
                String announce = "Change detected (" + describe(changed) + "): rebuilding.";
                if (ProjectBuild.run(current, manifest, false, announce, out, err) == ProjectBuild.Result.UP_TO_DATE
                        && !manifestChanged) {
                    return; // the same files as at the last build: nothing to do
                }
            }
            session.edge().reload(project.wasm(), local, options.clearCacheOnReload());
            out.println("Reloaded " + project.wasm() + "; held connections stay open"
                    + (options.clearCacheOnReload() ? "; the cache was emptied." : "; the cache was kept."));
        } catch (ServeException | FastlyTomlException e) {
            err.println("outpost: " + e.getMessage() + " (still serving the previous program)");
        } catch (RuntimeException e) {
            err.println("outpost: reload failed: " + Failures.message(e) + " (still serving the previous program)");
        }
        out.flush();
    }

    /** The changed files as the user knows them: relative to the project, at most three. */
    private String describe(Set<Path> changed) {
        Path dir = project.dir().toAbsolutePath().normalize();
        List<String> names = changed.stream()
                .map(p -> p.startsWith(dir) ? dir.relativize(p).toString() : p.toString())
                .sorted()
                .toList();
        return names.size() <= 3
                ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + " and " + (names.size() - 3) + " more";
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            watch.close();
        } catch (IOException e) {
            // Nothing left to watch.
        }
    }
}
