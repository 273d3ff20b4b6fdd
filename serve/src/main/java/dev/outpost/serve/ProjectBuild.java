package dev.outpost.serve;

import dev.outpost.edge.server.EdgeProject;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a project as {@code fastly compute serve} does before serving: its {@code [scripts] build} run with
 * {@code sh -c} in the project folder. Unlike the Fastly CLI it skips the build when the project's files are the same
 * as at the last build and the program is still the one it produced ({@link BuildStamp}); {@code force} builds
 * anyway. A JS project whose {@code node_modules} is missing gets its packages first ({@code npm ci} from the lock
 * file, else {@code npm install}), quietly: npm's output is shown only when it fails.
 */
public final class ProjectBuild {
    /** What {@link #run} did. */
    public enum Result {
        /** The manifest has no build script. */
        NO_SCRIPT,
        /** Nothing changed since the last build: the program was kept. */
        UP_TO_DATE,
        BUILT
    }

    private ProjectBuild() {}

    /**
     * Builds when needed.
     *
     * @param manifest the manifest in use (its content counts when it lies outside the project folder)
     * @param force build even when nothing changed
     * @param announce printed before building, or null
     */
    public static Result run(
            EdgeProject project, Path manifest, boolean force, String announce, PrintStream out, PrintStream err)
            throws ServeException {
        String script = project.buildScript();
        if (script == null || script.isBlank()) {
            return Result.NO_SCRIPT;
        }
        BuildStamp before;
        try {
            before = BuildStamp.current(project, manifest, script);
        } catch (IOException e) {
            throw new ServeException(1, "build: cannot read " + project.dir() + " (" + e.getMessage() + ")", e);
        }
        if (!force && before.sameAs(BuildStamp.read(project))) {
            return Result.UP_TO_DATE;
        }
        if (announce != null) {
            out.println(announce);
        }
        if (Files.isRegularFile(project.dir().resolve("package.json"))
                && !Files.isDirectory(project.dir().resolve("node_modules"))) {
            installPackages(project, out);
        }
        try (Progress p = Progress.start(out, "Building the app in " + project.dir() + ": " + script)) {
            Process proc = start(project, List.of("sh", "-c", script), script);
            // Line by line through the given stream (not inherited): whole lines between the progress lines, and a
            // caller's output captures it too.
            try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.println(line);
                }
                int code = proc.waitFor();
                if (code != 0) {
                    throw new ServeException(
                            1, "build failed: '" + script + "' exited with " + code + " (in " + project.dir() + ")");
                }
            } catch (IOException e) {
                throw new ServeException(1, "build: " + script + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                proc.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ServeException(1, "build interrupted: " + script, e);
            }
            p.done("Built in");
        }
        try {
            BuildStamp.write(project, before.inputs());
        } catch (IOException e) {
            err.println("outpost: warning: cannot record the build in " + BuildStamp.file(project) + " ("
                    + e.getMessage() + "); the next start builds again");
        }
        return Result.BUILT;
    }

    private static void installPackages(EdgeProject project, PrintStream out) throws ServeException {
        boolean locked = Files.isRegularFile(project.dir().resolve("package-lock.json"));
        // From the lock file when there is one (faster, and what was tested); from the local cache when it has
        // the packages; no audit or funding notes.
        List<String> command = List.of(
                "npm", locked ? "ci" : "install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error");
        String shown = String.join(" ", command.subList(0, 2));
        try (Progress p =
                Progress.start(out, "Installing the app's npm packages in " + project.dir() + " (" + shown + ") ...")) {
            Process proc = start(project, command, shown);
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            try (InputStream in = proc.getInputStream()) {
                in.transferTo(captured);
                int code = proc.waitFor();
                if (code != 0) {
                    out.print(captured.toString(StandardCharsets.UTF_8));
                    throw new ServeException(
                            1,
                            "'" + shown + "' exited with " + code + " (in " + project.dir() + "; its output is above)");
                }
            } catch (IOException e) {
                throw new ServeException(1, shown + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                proc.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new ServeException(1, "interrupted: " + shown, e);
            }
            p.done("Installed in");
        }
    }

    private static Process start(EdgeProject project, List<String> command, String shown) throws ServeException {
        try {
            return new ProcessBuilder(command)
                    .directory(project.dir().toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            String program = command.get(0);
            throw new ServeException(
                    1,
                    "cannot run " + shown + ": " + program + " is not installed or not on PATH"
                            + (program.equals("npm") ? " (install Node.js 20+ with npm)" : "")
                            + "; or serve a built program with --skip-build or --file",
                    e);
        }
    }
}
