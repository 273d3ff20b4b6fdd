package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code outpost run} (as {@code viceroy run}) and the serve command's usage, through the real command line. */
@Timeout(120)
class RunCommandTest {
    static CommandOutput outpost(String... args) {
        return CommandOutput.run(Main::newCommandLine, args);
    }

    @Test
    void runsStartOnceWithTheGuestsOutputPassedThrough(@TempDir Path dir) throws Exception {
        Path wasm = dir.resolve("hello.wasm");
        Files.write(wasm, helloWasi("hello from run\n"));
        CommandOutput r = outpost("run", "--engine", "chicory", wasm.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello from run\n");
    }

    /**
     * The smallest WASI program that prints: {@code _start} calls {@code fd_write(1, iovs, 1, nwritten)} once, with
     * one iovec at address 0 pointing at the text at address 16 (the text is at most 127 bytes).
     */
    static byte[] helloWasi(String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream w = new ByteArrayOutputStream();
        w.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        // types: 0 = (i32 i32 i32 i32) -> i32, 1 = () -> ()
        section(w, 1, new byte[] {2, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 0, 0});
        ByteArrayOutputStream imp = new ByteArrayOutputStream();
        imp.write(1);
        name(imp, "wasi_snapshot_preview1");
        name(imp, "fd_write");
        imp.writeBytes(new byte[] {0, 0});
        section(w, 2, imp.toByteArray());
        section(w, 3, new byte[] {1, 1});
        section(w, 5, new byte[] {1, 0, 1});
        ByteArrayOutputStream exp = new ByteArrayOutputStream();
        exp.write(2);
        name(exp, "memory");
        exp.writeBytes(new byte[] {2, 0});
        name(exp, "_start");
        exp.writeBytes(new byte[] {0, 1});
        section(w, 7, exp.toByteArray());
        byte[] body = {0, 0x41, 1, 0x41, 0, 0x41, 1, 0x41, 8, 0x10, 0, 0x1a, 0x0b};
        byte[] code = new byte[body.length + 2];
        code[0] = 1;
        code[1] = (byte) body.length;
        System.arraycopy(body, 0, code, 2, body.length);
        section(w, 10, code);
        byte[] data = new byte[16 + t.length];
        data[0] = 16;
        data[4] = (byte) t.length;
        System.arraycopy(t, 0, data, 16, t.length);
        ByteArrayOutputStream seg = new ByteArrayOutputStream();
        seg.writeBytes(new byte[] {1, 0, 0x41, 0, 0x0b, (byte) data.length});
        seg.writeBytes(data);
        section(w, 11, seg.toByteArray());
        return w.toByteArray();
    }

    private static void section(ByteArrayOutputStream w, int id, byte[] content) {
        w.write(id);
        w.write(content.length); // every section here is under 128 bytes: a one-byte LEB128
        w.writeBytes(content);
    }

    private static void name(ByteArrayOutputStream w, String n) {
        w.write(n.length());
        w.writeBytes(n.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aMissingProgramIsAUsageError() {
        CommandOutput r = outpost("run", "nope.wasm");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("outpost: wasm: nope.wasm: not found (expected: a Wasm program)");
    }

    @Test
    void serveListsTheFastlyCliOptions() {
        CommandOutput r = outpost("serve", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains(
                        "[DIR]",
                        "--config",
                        "--addr",
                        "--file",
                        "--skip-build",
                        "--force-build",
                        "--engine",
                        "--experimental-enable-pushpin",
                        "--pushpin-proxy-port",
                        "--pushpin-publish-port",
                        "--pushpin-path",
                        "--watch",
                        "127.0.0.1:7676");
    }

    @Test
    void serveRejectsABadAddressWithExitCode2() {
        CommandOutput r = outpost("serve", "--addr", "7676", "--skip-build", ".");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--addr: 7676 (expected: HOST:PORT, e.g. 127.0.0.1:7676)");
    }

    @Test
    void serveShowsTheEdgeLimitsWithTheirDefaults() {
        CommandOutput r = outpost("serve", "--help");
        assertThat(r.out())
                .contains(
                        "--max-guests=N",
                        "Default: 8.",
                        "--guest-queue=N",
                        "Default: 256.",
                        "--guest-cpus=N",
                        "Default: one per core while the",
                        "JIT compiler works, two per core once it is idle.",
                        "--memory-limit=SIZE",
                        "Default: 512MiB.",
                        "--request-body-buffer=SIZE",
                        "--handoff-body-limit=SIZE",
                        "--guest-time-limit=SECONDS",
                        "docs/limits.md");
        assertThat(outpost("run", "--help").out()).contains("--memory-limit=SIZE");
    }

    @Test
    void badLimitsAreUsageErrorsNamingTheOption() {
        CommandOutput zero = outpost("serve", "--max-guests", "0", "--skip-build", ".");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-guests: 0 (expected: at least 1)");
        CommandOutput cpus = outpost("serve", "--guest-cpus", "0", "--skip-build", ".");
        assertThat(cpus.code()).isEqualTo(2);
        assertThat(cpus.err()).contains("--guest-cpus: 0 (expected: at least 1)");
        CommandOutput time = outpost("serve", "--guest-time-limit", "0", "--skip-build", ".");
        assertThat(time.code()).isEqualTo(2);
        assertThat(time.err()).contains("--guest-time-limit: 0 (expected: at least 1 second)");
        CommandOutput size = outpost("serve", "--memory-limit", "lots", "--skip-build", ".");
        assertThat(size.code()).isEqualTo(2);
        assertThat(size.err()).contains("'lots' is not a size (expected: bytes, or a number with KiB, MiB or GiB");
        CommandOutput tiny = outpost("run", "--memory-limit", "1KiB", "nope.wasm");
        assertThat(tiny.code()).isEqualTo(2);
        assertThat(tiny.err()).contains("--memory-limit: 1024 bytes (expected: at least 1MiB)");
    }
}
