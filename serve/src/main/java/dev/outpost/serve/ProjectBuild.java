package dev.outpost.serve;

import dev.outpost.edge.server.EdgeProject;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

/**
 * Builds a project as {@code fastly compute serve} does before serving: its {@code [scripts] build} run with
 * {@code sh -c} in the project folder. A JS project whose {@code node_modules} is missing gets {@code npm install}
 * first. Every command is printed before it runs.
 */
public final class ProjectBuild {
    private ProjectBuild() {}

    /** Does nothing for a project without a build script. */
    public static void run(EdgeProject project, PrintStream out, PrintStream err) throws ServeException {
        String script = project.buildScript();
        if (script == null || script.isBlank()) {
            return;
        }
        if (Files.isRegularFile(project.dir().resolve("package.json"))
                && !Files.isDirectory(project.dir().resolve("node_modules"))) {
            exec(project, List.of("npm", "install", "--no-audit", "--no-fund"), "npm install", out, err);
        }
        exec(project, List.of("sh", "-c", script), script, out, err);
    }

    private static void exec(EdgeProject project, List<String> command, String shown, PrintStream out, PrintStream err)
            throws ServeException {
        out.println("Building in " + project.dir() + ": " + shown);
        out.flush();
        long started = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(project.dir().toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new ServeException(1, "build: cannot run " + shown + ": " + e.getMessage(), e);
        }
        try (InputStream in = p.getInputStream()) {
            // Copied through the given stream (not inherited) so a caller's output captures it too.
            in.transferTo(out);
            int code = p.waitFor();
            out.flush();
            if (code != 0) {
                throw new ServeException(
                        1, "build failed: '" + shown + "' exited with " + code + " (in " + project.dir() + ")");
            }
        } catch (IOException e) {
            throw new ServeException(1, "build: " + shown + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ServeException(1, "build interrupted: " + shown, e);
        }
        out.println("Built in " + (System.nanoTime() - started) / 1_000_000 + " ms.");
    }
}
