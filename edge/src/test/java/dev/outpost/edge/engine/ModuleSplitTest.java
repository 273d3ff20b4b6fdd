package dev.outpost.edge.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.wat.Wat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModuleSplitTest {
    private Engine engine;

    @BeforeAll
    void engine() {
        engine = Engine.newBuilder("wasm")
                .option("engine.WarnInterpreterOnly", "false")
                .build();
    }

    @AfterAll
    void close() {
        engine.close();
    }

    /**
     * A module importing {@code env.add} (i32 i32 -> i32), with 2 pages of memory, data {@code "hi"} at 16 and
     * {@code "!"} at 70000, exporting {@code memory} and {@code peek(addr) = add(load8_u(addr), 1000)}.
     */
    private static byte[] module(boolean withImport) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
        // types: 0 = (i32 i32) -> i32, 1 = (i32) -> i32
        section(out, 1, new byte[] {2, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 1, 0x7f});
        if (withImport) {
            section(out, 2, concat(new byte[] {1}, name("env"), name("add"), new byte[] {0, 0}));
        }
        section(out, 3, new byte[] {1, 1}); // one function of type 1
        section(out, 5, new byte[] {1, 0, 2}); // memory: min 2 pages
        int peek = withImport ? 1 : 0;
        section(out, 7, concat(new byte[] {2}, name("memory"), new byte[] {2, 0}, name("peek"), new byte[] {
            0, (byte) peek
        }));
        byte[] body = withImport
                ? new byte[] {0, 0x20, 0, 0x2d, 0, 0, 0x41, (byte) 0xe8, 0x07, 0x10, 0, 0x0b}
                : new byte[] {0, 0x20, 0, 0x2d, 0, 0, 0x41, (byte) 0xe8, 0x07, 0x6a, 0x0b};
        section(out, 10, concat(new byte[] {1, (byte) body.length}, body));
        section(out, 11, concat(new byte[] {2, 0, 0x41, 16, 0x0b, 2, 'h', 'i'}, new byte[] {
            0, 0x41, (byte) 0xf0, (byte) 0xa2, 0x04, 0x0b, 1, '!'
        }));
        return out.toByteArray();
    }

    private static byte[] name(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return concat(new byte[] {(byte) b.length}, b);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void section(ByteArrayOutputStream out, int id, byte[] body) {
        out.write(id);
        out.write(body.length); // short sections only
        out.writeBytes(body);
    }

    private Source source(byte[] wasm, String name) {
        return Source.newBuilder("wasm", ByteSequence.create(wasm), name).buildLiteral();
    }

    private static final ProxyExecutable ADD = args -> args[0].asInt() + args[1].asInt();

    /** peek at 16, 17 and 70000, and the memory size, of the whole module. */
    private int[] whole(byte[] wasm, boolean withImport) {
        try (Context context = Context.newBuilder("wasm").engine(engine).build()) {
            Value imports = Value.asValue(ProxyObject.fromMap(
                    withImport
                            ? Map.<String, Object>of("env", ProxyObject.fromMap(Map.<String, Object>of("add", ADD)))
                            : Map.<String, Object>of()));
            Value exports =
                    context.eval(source(wasm, "whole")).newInstance(imports).getMember("exports");
            return observe(exports);
        }
    }

    /** The same of the two parts, the code linked against the data module's memory. */
    private int[] split(ModuleSplit.Parts parts, boolean withImport) {
        try (Context context = Context.newBuilder("wasm").engine(engine).build()) {
            Value memory = context.eval(source(parts.data(), "data"))
                    .newInstance()
                    .getMember("exports")
                    .getMember(ModuleSplit.MEMORY_NAME);
            Map<String, Object> modules = new HashMap<>();
            modules.put(
                    ModuleSplit.MEMORY_MODULE,
                    ProxyObject.fromMap(Map.<String, Object>of(ModuleSplit.MEMORY_NAME, memory)));
            if (withImport) {
                modules.put("env", ProxyObject.fromMap(Map.<String, Object>of("add", ADD)));
            }
            Value exports = context.eval(source(parts.code(), "code"))
                    .newInstance(Value.asValue(ProxyObject.fromMap(modules)))
                    .getMember("exports");
            return observe(exports);
        }
    }

    private static int[] observe(Value exports) {
        Value peek = exports.getMember("peek");
        return new int[] {
            peek.execute(16).asInt(),
            peek.execute(17).asInt(),
            peek.execute(70000).asInt(),
            (int) exports.getMember("memory").getBufferSize()
        };
    }

    @Test
    void theTwoPartsStartAsTheWholeModuleDoes() {
        for (boolean withImport : new boolean[] {true, false}) {
            byte[] wasm = module(withImport);
            ModuleSplit.Parts parts = ModuleSplit.split(wasm);

            assertThat(parts).isNotNull();
            int[] expected = {1000 + 'h', 1000 + 'i', 1000 + '!', 2 * 65536};
            assertThat(whole(wasm, withImport)).containsExactly(expected);
            assertThat(split(parts, withImport)).containsExactly(expected);
        }
    }

    @Test
    void appsWithTheSameCodeGetTheSameCodeModule() {
        byte[] a = module(true);
        byte[] b = a.clone();
        b[b.length - 1] = '?'; // other data: the last byte is the second segment's
        assertThat(ModuleSplit.split(a).code()).isEqualTo(ModuleSplit.split(b).code());
        assertThat(ModuleSplit.split(a).data())
                .isNotEqualTo(ModuleSplit.split(b).data());
    }

    @Test
    void leavesModulesWithoutOnePlainMemoryOfTheirOwn() {
        byte[] noMemory = {0, 'a', 's', 'm', 1, 0, 0, 0};
        assertThat(ModuleSplit.split(noMemory)).isNull();

        ByteArrayOutputStream imported = new ByteArrayOutputStream();
        imported.writeBytes(noMemory);
        section(imported, 2, concat(new byte[] {1}, name("env"), name("mem"), new byte[] {2, 0, 1}));
        section(imported, 11, new byte[] {0});
        assertThat(ModuleSplit.split(imported.toByteArray())).isNull();

        ByteArrayOutputStream shared = new ByteArrayOutputStream();
        shared.writeBytes(noMemory);
        section(shared, 5, new byte[] {1, 3, 1, 2}); // shared memory 1..2
        section(shared, 11, new byte[] {0});
        assertThat(ModuleSplit.split(shared.toByteArray())).isNull();

        byte[] garbage = {0, 'a', 's', 'm', 1, 0, 0, 0, 5, 9, 1};
        assertThat(ModuleSplit.split(garbage)).isNull();
    }

    /** Two overlapping segments (the later one wins), one further on, two mutable globals and an immutable one. */
    private static final String RESETTABLE = """
            (module
              (memory (export "memory") 2)
              (global $g (mut i32) (i32.const 41))
              (global $h (mut i64) (i64.const -2))
              (global $k i32 (i32.const 5))
              (data (i32.const 0x10) "aaaa")
              (data (i32.const 0x12) "bb")
              (data (i32.const 70000) "c")
              (func (export "globals") (result i64)
                (i64.add (i64.extend_i32_u (global.get $g)) (i64.mul (global.get $h) (i64.const 1000))))
              (func (export "scribble")
                (global.set $g (i32.const 0))
                (global.set $h (i64.const 7))
                (memory.fill (i32.const 0) (i32.const 0x5a) (i32.const 131072))))
            """;

    private static byte[] memory(Value exports) {
        Value memory = exports.getMember("memory");
        byte[] bytes = new byte[(int) memory.getBufferSize()];
        memory.readBuffer(0, bytes, 0, bytes.length);
        return bytes;
    }

    @Test
    void resetPartsGiveBackTheStateOfANewInstance() {
        byte[] wasm = Wat.compile(RESETTABLE);
        ModuleSplit.Parts parts = ModuleSplit.split(wasm);
        assertThat(parts).isNotNull();
        assertThat(parts.resettable()).isTrue();

        byte[] fresh;
        long freshGlobals;
        try (Context context = Context.newBuilder("wasm").engine(engine).build()) {
            Value exports = context.eval(source(wasm, "whole")).newInstance().getMember("exports");
            fresh = memory(exports);
            freshGlobals = exports.getMember("globals").execute().asLong();
        }
        assertThat(new String(fresh, 0x10, 4, StandardCharsets.US_ASCII)).isEqualTo("aabb");
        assertThat(freshGlobals).isEqualTo(41 - 2000);

        try (Context context = Context.newBuilder("wasm").engine(engine).build()) {
            Value data =
                    context.eval(source(parts.data(), "data")).newInstance().getMember("exports");
            Value code = context.eval(source(parts.code(), "code"))
                    .newInstance(Value.asValue(ProxyObject.fromMap(Map.<String, Object>of(
                            ModuleSplit.MEMORY_MODULE,
                            ProxyObject.fromMap(Map.<String, Object>of(
                                    ModuleSplit.MEMORY_NAME, data.getMember(ModuleSplit.MEMORY_NAME)))))))
                    .getMember("exports");
            assertThat(memory(code)).isEqualTo(fresh);
            assertThat(code.getMember("globals").execute().asLong()).isEqualTo(freshGlobals);
            for (int round = 0; round < 2; round++) {
                code.getMember("scribble").executeVoid();
                assertThat(memory(code)).isNotEqualTo(fresh);

                code.getMember(ModuleSplit.RESET_GLOBALS).executeVoid();
                data.getMember(ModuleSplit.RESET_MEMORY).executeVoid();

                assertThat(memory(code)).isEqualTo(fresh);
                assertThat(code.getMember("globals").execute().asLong()).isEqualTo(freshGlobals);
            }
        }
    }

    @Test
    void codeThatCanChangeATableIsFound() {
        String[] writes = {
            "(table.set $t (i32.const 0) (ref.null func))",
            "(drop (table.grow $t (ref.null func) (i32.const 1)))",
            "(table.fill $t (i32.const 0) (ref.null func) (i32.const 1))",
            "(table.copy $t $t (i32.const 0) (i32.const 1) (i32.const 1))",
            "(table.init $t $e (i32.const 0) (i32.const 0) (i32.const 1))",
            "(elem.drop $e)"
        };
        for (String write : writes) {
            byte[] wasm = Wat.compile("""
                    (module
                      (memory 1)
                      (data (i32.const 0) "x")
                      (table $t 2 funcref)
                      (elem $e func $f)
                      (func $f (export "f")
                        (drop (table.size $t))
                        %s))
                    """.formatted(write));
            assertThat(ModuleSplit.split(wasm)).as(write).isNotNull();
            assertThat(ModuleSplit.mayWriteTables(wasm)).as(write).isTrue();
        }
        byte[] reading = Wat.compile("""
                (module
                  (memory 1)
                  (data (i32.const 0) "x")
                  (table $t 2 funcref)
                  (func $f (export "f") (drop (table.get $t (i32.const 0))) (drop (table.size $t))))
                """);
        assertThat(ModuleSplit.split(reading).resettable()).isTrue();
        assertThat(ModuleSplit.mayWriteTables(reading)).isFalse();
    }
}
