package dev.outpost.edge.wat;

import com.dylibso.chicory.wabt.Wat2Wasm;
import dev.outpost.edge.hostcalls.ComputeAbi;
import dev.outpost.edge.hostcalls.LegacyAliases;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test programs written in WebAssembly text, compiled with wabt's {@code wat2wasm} (Chicory's build of it, pure Java)
 * while the tests run.
 *
 * <p>{@link #program} takes the fields of a module (functions, data, the {@code _start} export) without the
 * {@code (module ...)} around them and adds:
 *
 * <ul>
 *   <li>an import for every {@code $module.name} it calls that is a Compute ABI function (signature from
 *       {@code compute-abi.txt}), a legacy {@code $env.xqd_*} alias or one of {@link #WASI}; a module may still write
 *       imports of its own, one per line (for names the host does not know, say);
 *   <li>{@code (memory (export "memory") 4)}: bytes {@code [0, 0x400)} are the prelude's scratch, {@code [0x30000,
 *       0x40000)} its report; a program's own data goes in between;
 *   <li>the prelude ({@code wat/prelude.wat}): {@code $ok}, {@code $expect}, {@code $fail}, {@code $say},
 *       {@code $say_i32}, {@code $say_i64}, {@code $reply}, {@code $respond}, {@code $finish}.
 * </ul>
 */
public final class Wat {
    /** The WASI preview 1 functions test programs may call, with their signatures. */
    static final Map<String, String> WASI = Map.of(
            "fd_write", "(param i32 i32 i32 i32) (result i32)",
            "proc_exit", "(param i32)",
            "random_get", "(param i32 i32) (result i32)",
            "clock_time_get", "(param i32 i64 i32) (result i32)",
            "environ_sizes_get", "(param i32 i32) (result i32)",
            "sock_send", "(param i32 i32 i32 i32 i32) (result i32)",
            "proc_raise", "(param i32) (result i32)");

    private static final Pattern CALLED =
            Pattern.compile("\\$((?:fastly_[a-z_]+|env|wasi_snapshot_preview1)\\.[A-Za-z0-9_]+)");
    private static final Map<String, byte[]> CACHE = new ConcurrentHashMap<>();
    private static final String PRELUDE = resourceText("prelude");

    private Wat() {}

    /** Compiles a whole module written in WebAssembly text. */
    public static byte[] compile(String wat) {
        return CACHE.computeIfAbsent(wat, text -> {
            try {
                return Wat2Wasm.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("wat2wasm failed: " + e.getMessage() + "\n" + numbered(text), e);
            }
        });
    }

    /** A program from module fields, with imports, memory and prelude added (see the class comment). */
    public static byte[] program(String fields) {
        return compile(module(fields));
    }

    /** A program from {@code src/test/resources/wat/<name>.wat}. */
    public static byte[] resource(String name) {
        return program(resourceText(name));
    }

    /** The full module text {@link #program} compiles. */
    public static String module(String fields) {
        String body = PRELUDE + "\n" + fields;
        StringBuilder out = new StringBuilder("(module\n");
        for (String qualified : called(body)) {
            if (body.contains("(import \"" + qualified.replace(".", "\" \"") + "\"")) {
                continue;
            }
            out.append("  (import \"")
                    .append(qualified.replace(".", "\" \""))
                    .append("\" (func $")
                    .append(qualified)
                    .append(' ')
                    .append(signature(qualified))
                    .append("))\n");
        }
        // Imports come before every definition: a program's own (one per line) are moved up.
        StringBuilder rest = new StringBuilder();
        for (String line : fields.lines().toList()) {
            (line.strip().startsWith("(import ") ? out : rest).append(line).append('\n');
        }
        out.append("  (memory (export \"memory\") 4)\n");
        out.append(PRELUDE).append('\n').append(rest).append("\n)\n");
        return out.toString();
    }

    private static Set<String> called(String body) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = CALLED.matcher(body);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static String signature(String qualified) {
        String target = LegacyAliases.all().getOrDefault(qualified, qualified);
        ComputeAbi.Function f = ComputeAbi.function(target);
        if (f != null) {
            return (f.params().isEmpty() ? "" : "(param " + String.join(" ", f.params()) + ") ") + "(result "
                    + f.result() + ")";
        }
        String wasi = qualified.startsWith("wasi_snapshot_preview1.")
                ? WASI.get(qualified.substring(qualified.indexOf('.') + 1))
                : null;
        if (wasi == null) {
            throw new IllegalArgumentException(
                    qualified + ": not an ABI function (expected: a name from compute-abi.txt, env.xqd_* or "
                            + WASI.keySet() + "); declare its import yourself");
        }
        return wasi;
    }

    static String resourceText(String name) {
        try (InputStream in = Wat.class.getResourceAsStream("/wat/" + name + ".wat")) {
            if (in == null) {
                throw new IllegalArgumentException("src/test/resources/wat/" + name + ".wat is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String numbered(String text) {
        StringBuilder out = new StringBuilder();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            out.append(String.format("%4d  %s%n", i + 1, lines.get(i)));
        }
        return out.toString();
    }
}
