package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {
    @Test
    void serveRejectsABadValueWithExitCode2() {
        CommandOutput r = RunCommandTest.outpost(
                "serve",
                "--inspector-port",
                "nope",
                Path.of("..", "examples", "fanout-starter").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("outpost: --inspector-port: 'nope' (expected: PORT or ADDR:PORT, PORT 0-65535," + " or off)"
                        + System.lineSeparator());
    }

    @Test
    void serveRejectsABadCacheSizeWithExitCode2() {
        CommandOutput r = RunCommandTest.outpost(
                "serve",
                "--cache-size",
                "lots",
                Path.of("..", "examples", "fanout-starter").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("outpost: --cache-size: lots (expected: a size such as 64m, 512k or 1g)"
                        + System.lineSeparator());
    }

    /**
     * The launcher finds serve's project folder on its own (to install its npm packages alongside the first build):
     * it must know which options take a value, or it takes that value for the folder.
     */
    @Test
    void theLauncherKnowsEveryServeOptionThatTakesAValue() throws Exception {
        String launcher = Files.readString(Path.of("..", "outpost"));
        String list = launcher.substring(launcher.indexOf("serve_npm_dir() {"), launcher.indexOf(") skip=1 ;;")) + " ";
        for (CommandLine.Model.OptionSpec o :
                new CommandLine(new ServeCommand()).getCommandSpec().options()) {
            if (o.arity().max() > 0) {
                for (String name : o.names()) {
                    assertThat(list).as("%s in ./outpost's serve_npm_dir", name).contains(" " + name + " ");
                }
            }
        }
    }
}
