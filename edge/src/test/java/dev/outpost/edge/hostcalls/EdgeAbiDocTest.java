package dev.outpost.edge.hostcalls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.engine.WasmImports;
import dev.outpost.edge.engine.WasmModule.FunctionImport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/edge-abi.md} true: one row per ABI function, its status as the server registers it, and a test
 * that really calls it.
 */
class EdgeAbiDocTest {
    private static final Path DOC = Path.of("..", "docs", "edge-abi.md");
    private static final Path TESTS = Path.of("src", "test");
    private static final Pattern ROW = Pattern.compile(
            "^\\| (fastly_[a-z_]+) \\| ([a-z0-9_]+) \\| (implemented|unsupported) \\| (.*) \\| (.+) \\|$");

    private static final Pattern JS_TEST = Pattern.compile("`([A-Za-z]+(?:Contract|Test))\\.([A-Za-z0-9]+)`");

    private static final String JS_UNCALLED = "JS apps (imported by the test apps; no test calls it yet)";

    private record Row(String module, String name, String status, String notes, String test) {
        String qualified() {
            return module + "." + name;
        }
    }

    private static Map<String, Row> rows() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(DOC)) {
            if (!line.startsWith("| fastly_")) {
                continue;
            }
            Matcher m = ROW.matcher(line);
            assertThat(m.matches())
                    .as("malformed row in docs/edge-abi.md: " + line)
                    .isTrue();
            Row row = new Row(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
            assertThat(rows.put(row.qualified(), row))
                    .as("row listed twice: " + line)
                    .isNull();
        }
        return rows;
    }

    @Test
    void everyAbiFunctionHasOneRowInTheAbiOrder() throws IOException {
        assertThat(new ArrayList<>(rows().keySet()))
                .containsExactlyElementsOf(ComputeAbi.functions().keySet());
    }

    @Test
    void eachStatusIsWhatTheServerRegisters() throws IOException {
        HostcallTable table = AbiLinkingTest.table();
        for (Row row : rows().values()) {
            boolean implemented = table.registered().contains(row.qualified())
                    && !table.unsupportedReasons().containsKey(row.qualified());
            assertThat(row.status())
                    .as(row.qualified() + ": docs/edge-abi.md says " + row.status()
                            + " but the server " + (implemented ? "implements it" : "answers unsupported")
                            + "; update its row")
                    .isEqualTo(implemented ? "implemented" : "unsupported");
            if (!implemented) {
                assertThat(row.notes())
                        .as(row.qualified() + ": an unsupported row gives its reason")
                        .isNotBlank();
            }
        }
    }

    @Test
    void eachNamedTestCallsTheFunction() throws IOException {
        Map<String, String> sources = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(TESTS)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".wat") || name.endsWith(".java")) {
                    sources.put(name, Files.readString(f));
                }
            }
        }
        Set<String> jsImports = new HashSet<>();
        for (String app : List.of("app", "hello", "reuse")) {
            Path wasm = Path.of(System.getProperty("outpost.edge.testApps", "target/test-apps"), app + ".wasm");
            WasmImports.functions(Files.readAllBytes(wasm)).stream()
                    .map(FunctionImport::qualifiedName)
                    .forEach(jsImports::add);
        }
        Pattern named = Pattern.compile("`(?:wat/)?([A-Za-z_]+(?:\\.wat)?)`");
        for (Row row : rows().values()) {
            if (row.test().equals("—")) {
                assertThat(row.status())
                        .as(row.qualified() + ": only an unsupported row may name no test")
                        .isEqualTo("unsupported");
                continue;
            }
            if (row.test().startsWith("JS apps")) {
                assertThat(jsImports)
                        .as(row.qualified() + ": the JS test apps do not import it")
                        .contains(row.qualified());
                if (row.test().equals(JS_UNCALLED)) {
                    // Said plainly in the table: linked and imported, but no test's request reaches it yet.
                    continue;
                }
                // Which test's requests call it: Class.method, a test method of that class.
                Matcher js = JS_TEST.matcher(row.test());
                assertThat(js.find())
                        .as(row.qualified() + ": name the test that calls it, as JS apps (`EdgeServerContract.method`),"
                                + " or say " + JS_UNCALLED)
                        .isTrue();
                String contract = sources.get(js.group(1) + ".java");
                assertThat(contract)
                        .as(row.qualified() + ": " + js.group(1) + " not found under src/test")
                        .isNotNull();
                assertThat(contract)
                        .as(row.qualified() + ": " + js.group(1) + " has no test " + js.group(2))
                        .contains("void " + js.group(2) + "(");
                continue;
            }
            Matcher m = named.matcher(row.test());
            assertThat(m.find())
                    .as(row.qualified() + ": test column " + row.test())
                    .isTrue();
            String file = m.group(1).endsWith(".wat") ? m.group(1) : m.group(1) + ".java";
            String source = sources.get(file);
            assertThat(source)
                    .as(row.qualified() + ": test " + file + " not found under src/test")
                    .isNotNull();
            assertThat(source.contains(row.module()) && source.contains(row.name()))
                    .as(row.qualified() + ": " + file + " does not call it")
                    .isTrue();
        }
    }

    @Test
    void theLegacyNameCountIsRight() throws IOException {
        assertThat(Files.readString(DOC))
                .contains("(" + LegacyAliases.all().size() + " of them,")
                .contains("all " + WasiHostcalls.NAMES.size() + " functions of WASI");
    }
}
