package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.server.EdgeProject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build runs when the project's files differ from those of the last build, and only then. */
class ProjectBuildTest {
    @TempDir
    Path dir;

    @TempDir
    Path elsewhere;

    Path runs;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void project() throws Exception {
        runs = elsewhere.resolve("runs");
        manifest("mkdir -p bin && cp src/app.js bin/main.wasm && echo run >> '" + runs + "'");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/app.js"), "one");
    }

    private void manifest(String script) throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), "[scripts]\nbuild = \"" + script + "\"\n");
    }

    private ProjectBuild.Result build(boolean force) throws Exception {
        EdgeProject p = EdgeProject.open(dir, null, null);
        return ProjectBuild.run(p, dir.resolve("fastly.toml"), force, null, new PrintStream(out, true), System.err);
    }

    @Test
    void sameFilesMeanNoBuildWhateverTheirTimes() throws Exception {
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.UP_TO_DATE);
        // a checkout or a copy: new times, same content
        Files.setLastModifiedTime(
                dir.resolve("src/app.js"), FileTime.from(Instant.now().plusSeconds(60)));
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.UP_TO_DATE);
        // a build tool's temporary file, come and gone; dependencies and output folders are no inputs
        Files.writeString(dir.resolve("__input_bundled.js"), "tmp");
        Files.delete(dir.resolve("__input_bundled.js"));
        Files.createDirectories(dir.resolve("node_modules/x"));
        Files.writeString(dir.resolve("node_modules/x/index.js"), "dep");
        Files.writeString(dir.resolve("bin/other"), "out");
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.UP_TO_DATE);
        assertThat(Files.readAllLines(runs)).hasSize(1);
        assertThat(out.toString()).contains("Building the app in " + dir + ": mkdir -p bin", "Built in ");
    }

    @Test
    void aChangedInputAChangedProgramAChangedScriptOrForceBuild() throws Exception {
        build(false);
        Files.writeString(dir.resolve("src/app.js"), "two");
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        Files.writeString(dir.resolve("src/new.js"), "added");
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        Files.delete(dir.resolve("src/new.js"));
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        Files.writeString(dir.resolve("bin/main.wasm"), "replaced by hand");
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        Files.delete(dir.resolve("bin/main.wasm"));
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        assertThat(build(true)).isEqualTo(ProjectBuild.Result.BUILT);
        manifest("mkdir -p bin && cp src/app.js bin/main.wasm && echo run >> '" + runs + "' && true");
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.BUILT);
        assertThat(build(false)).isEqualTo(ProjectBuild.Result.UP_TO_DATE);
        assertThat(Files.readAllLines(runs)).hasSize(8);
        assertThat(Files.readString(BuildStamp.file(EdgeProject.open(dir, null, null))))
                .contains("--force-build", "inputs=", "program=");
    }
}
