package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.serve.ServeException;
import dev.outpost.serve.standin.ViceroyOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code outpost viceroy} (bin/viceroy): Viceroy 0.14's command line as the Fastly CLI uses it, mapped onto
 * {@link ViceroyOptions}; every option is either honoured or refused with a reason.
 */
class ViceroyCommandTest {
    @TempDir
    static Path dir;

    static CommandOutput viceroy(String... args) {
        return CommandOutput.run(ViceroyCommand::commandLine, args);
    }

    /** The options the serve arguments map to, from the top-level command or {@code serve}. */
    static ViceroyOptions options(String... args) throws ServeException {
        CommandLine cl = ViceroyCommand.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        if (parsed.hasSubcommand()) {
            ViceroyCommand.Serve serve =
                    (ViceroyCommand.Serve) parsed.subcommand().commandSpec().userObject();
            return serve.serve.options();
        }
        return ((ViceroyCommand) cl.getCommand()).serve.options();
    }

    static Path wasm() throws Exception {
        Path wasm = dir.resolve("main.wasm");
        if (!Files.exists(wasm)) {
            Files.write(wasm, new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        }
        return wasm;
    }

    @Test
    void versionIsViceroysFormatWithTheVersionSecond() {
        CommandOutput r = viceroy("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out().strip()).startsWith("viceroy 0.14.4 (Outpost ");
        // What the Fastly CLI does with it: the second word is the version.
        assertThat(r.out().strip().split(" ")[1]).isEqualTo("0.14.4");
    }

    @Test
    void helpSaysItIsOutpost() {
        CommandOutput r = viceroy("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Outpost standing in for Viceroy", "--local-pushpin-proxy-port", "run", "serve");
    }

    @Test
    void theFastlyCliCommandLineMapsOntoTheOptions() throws Exception {
        Path toml = dir.resolve("fastly.toml");
        Files.writeString(toml, "manifest_version = 3\n");
        // As `fastly compute serve` runs it: -v -C <manifest> --addr <addr> <wasm> --local-pushpin-proxy-port=<port>
        ViceroyOptions o = options(
                "-v",
                "-C",
                toml.toString(),
                "--addr",
                "127.0.0.1:27676",
                wasm().toString(),
                "--local-pushpin-proxy-port=27677",
                "--enable-local-websocket-passthrough=false");
        assertThat(o.wasm()).isEqualTo(wasm());
        assertThat(o.manifest()).isEqualTo(toml);
        assertThat(o.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 27676));
        assertThat(o.pushpinProxyPort()).isEqualTo(27677);
        assertThat(o.websocketPassthrough()).isFalse();
        assertThat(o.engine()).isEqualTo("graalwasm");
    }

    @Test
    void withTheServeSubcommandTheSame() throws Exception {
        ViceroyOptions o = options("serve", "--addr=[::1]:7000", wasm().toString(), "--engine=chicory");
        assertThat(o.address()).isEqualTo(new InetSocketAddress("::1", 7000));
        assertThat(o.engine()).isEqualTo("chicory");
    }

    @Test
    void withoutAPushpinPortHandoffsStayOffAndDefaultsAreViceroys() throws Exception {
        ViceroyOptions o = options(wasm().toString());
        assertThat(o.pushpinProxyPort()).isZero();
        assertThat(o.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 7676));
        assertThat(o.manifest()).isNull();
        assertThat(o.websocketPassthrough()).isTrue();
    }

    @Test
    void optionsWithTheSameEffectHereAreAccepted() throws Exception {
        ViceroyOptions o = options(
                "-vvv",
                "--log-stdout",
                "--log-stderr",
                "--adapt",
                "--unknown-import-behavior",
                "link-error",
                "--enable-local-websocket-passthrough=true",
                wasm().toString());
        assertThat(o.websocketPassthrough()).isTrue();
    }

    @Test
    void optionsOutpostCannotHonourAreRefusedWithTheReason() throws Exception {
        String w = wasm().toString();
        assertThatThrownBy(() -> options("--profile=guest,guest-profiles", w))
                .isInstanceOf(ServeException.class)
                .hasMessage("--profile guest,guest-profiles: not supported by Outpost (its Wasm engines have no"
                        + " profiler); run without --profile (or without 'fastly compute serve --profile-guest')");
        assertThatThrownBy(() -> options("--experimental_modules", "wasi-nn", w))
                .hasMessage("--experimental_modules wasi-nn: not supported by Outpost; run without it");
        assertThatThrownBy(() -> options("--unknown-import-behavior", "trap", w))
                .hasMessageStartingWith("--unknown-import-behavior trap: not supported by Outpost: it links every"
                        + " import and answers a call to one it does not implement with Fastly's 'unsupported'");
        assertThatThrownBy(() -> options("--unknown-import-behavior", "maybe", w))
                .hasMessage("--unknown-import-behavior maybe: unknown value (expected: link-error, trap or"
                        + " zero-or-null)");
        assertThatThrownBy(() -> options("--enable-local-websocket-passthrough=nope", w))
                .hasMessage("--enable-local-websocket-passthrough nope: not a boolean (expected: true or false)");
        assertThatThrownBy(() -> options("--local-pushpin-proxy-port=0", w))
                .hasMessage("--local-pushpin-proxy-port 0: not a port (expected: 1-65535)");
        assertThatThrownBy(() -> options("--engine=v8", w))
                .hasMessage("--engine v8: unknown engine (expected: one of [graalwasm, chicory])");
        assertThatThrownBy(() -> options("--addr", "nowhere", w))
                .hasMessage("--addr: nowhere (expected: HOST:PORT, e.g. 127.0.0.1:7676)");
        assertThatThrownBy(() -> options())
                .hasMessageStartingWith("the following required argument was not" + " provided: <INPUT>");
    }

    @Test
    void aRefusalIsExitCode2WithTheReasonOnStderr() throws Exception {
        CommandOutput r = viceroy("serve", "--profile=jitdump", wasm().toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("viceroy: --profile jitdump: not supported by Outpost");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownOptionIsAUsageErrorNamingIt() throws Exception {
        // `fastly compute serve --debug` passes --debug (Viceroy's debug adapter): not a Viceroy 0.14 option
        CommandOutput r = viceroy("--debug", wasm().toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("viceroy: Unknown option: '--debug' (Outpost takes Viceroy 0.14's options: see viceroy"
                        + " --help)" + System.lineSeparator());
    }

    @Test
    void aMissingOrNonWasmProgramIsRefusedBeforeLoading() throws Exception {
        CommandOutput missing = viceroy(dir.resolve("nope.wasm").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err())
                .contains("viceroy: <INPUT> " + dir.resolve("nope.wasm")
                        + ": not found (expected: a Wasm program, e.g. bin/main.wasm)");
        Path wat = dir.resolve("app.wat");
        Files.writeString(wat, "(module)");
        CommandOutput text = viceroy("run", wat.toString());
        assertThat(text.code()).isEqualTo(2);
        assertThat(text.err()).contains("not a binary Wasm module", "WebAssembly text is not supported");
    }

    @Test
    void adaptIsRefused() throws Exception {
        CommandOutput r = viceroy("adapt", wasm().toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("viceroy: adapt: not supported by Outpost");
    }

    @Test
    void runPassesWhatFollowsTheProgramToIt() throws Exception {
        CommandLine cl = ViceroyCommand.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("run", "-C", "fastly.toml", "main.wasm", "--flag", "-x", "y");
        ViceroyCommand.Run run =
                (ViceroyCommand.Run) parsed.subcommand().commandSpec().userObject();
        assertThat(run.shared.input()).isEqualTo(Path.of("main.wasm"));
        assertThat(run.shared.config).isEqualTo(Path.of("fastly.toml"));
        assertThat(run.wasmArgs).containsExactly("--flag", "-x", "y");
    }
}
