package dev.outpost.edge.hostcalls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions of the Fastly Compute ABI that Viceroy links, with their core Wasm signatures, read from
 * {@code compute-abi.txt} (derived from Viceroy's witx files). What a program may import besides these: WASI preview 1
 * and the legacy {@code env.xqd_*} names ({@link LegacyAliases}).
 */
public final class ComputeAbi {
    /** One function: where it lives, its parameter types ({@code i32}, {@code i64}) and its result type. */
    public record Function(String module, String name, List<String> params, String result) {
        public String qualifiedName() {
            return module + "." + name;
        }
    }

    private static final Map<String, Function> FUNCTIONS = load();

    private ComputeAbi() {}

    /** Every function, in the witx files' order, by {@code module.name}. */
    public static Map<String, Function> functions() {
        return FUNCTIONS;
    }

    public static Function function(String qualifiedName) {
        return FUNCTIONS.get(qualifiedName);
    }

    private static Map<String, Function> load() {
        Map<String, Function> functions = new LinkedHashMap<>();
        try (InputStream in = ComputeAbi.class.getResourceAsStream("compute-abi.txt")) {
            if (in == null) {
                throw new IllegalStateException("compute-abi.txt is missing from the classpath");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                // module.name (i32, i64) -> i32
                int space = line.indexOf(' ');
                String qualified = line.substring(0, space);
                int dot = qualified.indexOf('.');
                String params = line.substring(line.indexOf('(') + 1, line.indexOf(')'));
                String result = line.substring(line.indexOf("->") + 2).strip();
                List<String> types = params.isBlank()
                        ? List.of()
                        : Arrays.stream(params.split(",")).map(String::strip).toList();
                functions.put(
                        qualified,
                        new Function(qualified.substring(0, dot), qualified.substring(dot + 1), types, result));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("compute-abi.txt: " + e.getMessage(), e);
        }
        return Collections.unmodifiableMap(functions);
    }

    /** The modules, in order of first appearance. */
    public static List<String> modules() {
        List<String> modules = new ArrayList<>();
        for (Function f : FUNCTIONS.values()) {
            if (!modules.contains(f.module())) {
                modules.add(f.module());
            }
        }
        return modules;
    }
}
