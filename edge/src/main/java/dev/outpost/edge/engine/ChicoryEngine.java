package dev.outpost.edge.engine;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionType;
import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.Hostcall;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/** Chicory 1.x, interpreted: pure Java, small, slow for CPU-heavy guests. */
public final class ChicoryEngine implements WasmEngine {
    @Override
    public String name() {
        return "chicory";
    }

    @Override
    public WasmModule load(String name, byte[] wasm) {
        try {
            // Validation costs about half of the parse time of a JS module; the js-compute runtime is a known-good
            // module.
            var module = Parser.builder().withValidation(false).build().parse(() -> new ByteArrayInputStream(wasm));
            return new ChicoryModule(name, module, !WasmImports.hasStartFunction(wasm));
        } catch (ChicoryException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new WasmLoadException(name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {}

    private static final class ChicoryModule extends PooledModule {
        private final com.dylibso.chicory.wasm.WasmModule module;
        private final List<FunctionImport> imports = new ArrayList<>();
        private final List<FunctionType> types = new ArrayList<>();

        ChicoryModule(String name, com.dylibso.chicory.wasm.WasmModule module, boolean poolable) {
            this.module = module;
            var section = module.importSection();
            for (int i = 0; i < section.importCount(); i++) {
                var imp = section.getImport(i);
                if (imp.importType() != ExternalType.FUNCTION) {
                    continue;
                }
                var fn = (com.dylibso.chicory.wasm.types.FunctionImport) imp;
                FunctionType type = module.typeSection().getType(fn.typeIndex());
                imports.add(new FunctionImport(
                        fn.module(),
                        fn.name(),
                        type.params().size(),
                        type.returns().size()));
                types.add(type);
            }
            pool(new InstancePool(name, this::blank, poolable));
        }

        @Override
        public List<FunctionImport> imports() {
            return imports;
        }

        /** An instance whose imports call through {@code bound}, filled in when a request takes it. */
        private InstancePool.Blank blank() {
            Hostcall[] bound = new Hostcall[imports.size()];
            ChicoryMemory[] memory = new ChicoryMemory[1];
            List<ImportFunction> functions = new ArrayList<>(imports.size());
            for (int i = 0; i < imports.size(); i++) {
                FunctionImport imp = imports.get(i);
                int index = i;
                boolean hasResult = imp.resultCount() > 0;
                functions.add(new HostFunction(imp.module(), imp.name(), types.get(i), (instance, args) -> {
                    if (memory[0] == null) {
                        memory[0] = new ChicoryMemory(instance.memory());
                    }
                    int result = bound[index].call(memory[0], args);
                    return hasResult ? new long[] {result} : null;
                }));
            }
            Instance instance;
            try {
                instance = Instance.builder(module)
                        .withImportValues(
                                ImportValues.builder().withFunctions(functions).build())
                        .withStart(false)
                        .build();
            } catch (GuestExit | GuestTrapException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new GuestTrapException("instantiation failed: " + e.getMessage(), e);
            }
            return new InstancePool.Blank() {
                @Override
                public WasmInstance bind(Hostcall[] hostcalls) {
                    System.arraycopy(hostcalls, 0, bound, 0, bound.length);
                    return new ChicoryInstance(instance);
                }

                @Override
                public void close() {}
            };
        }
    }

    private static final class ChicoryInstance implements WasmInstance {
        private final Instance instance;
        private volatile Thread runner;

        ChicoryInstance(Instance instance) {
            this.instance = instance;
        }

        @Override
        public void cancel() {
            Thread t = runner;
            if (t != null) {
                t.interrupt();
            }
        }

        @Override
        public int runStart() {
            runner = Thread.currentThread();
            try {
                instance.export("_start").apply();
                return 0;
            } catch (RuntimeException | StackOverflowError e) {
                GuestExit exit = HostFailure.exitIn(e);
                if (exit != null) {
                    return exit.code();
                }
                GuestTrapException trap = HostFailure.trapIn(e);
                if (trap != null) {
                    throw trap;
                }
                throw new GuestTrapException("wasm trap: " + e, e);
            } finally {
                runner = null;
                Thread.interrupted();
            }
        }

        @Override
        public void close() {}
    }

    private record ChicoryMemory(Memory memory) implements GuestMemory {
        @Override
        public long size() {
            return (long) memory.pages() * Memory.PAGE_SIZE;
        }

        /** {@code address}, once {@link #checkBounds} found the buffer in the memory: Chicory never sees a bad one. */
        private int checked(int address, int length) {
            checkBounds(address, length);
            return address;
        }

        @Override
        public byte[] read(int address, int length) {
            return memory.readBytes(checked(address, length), length);
        }

        @Override
        public void write(int address, byte[] bytes, int offset, int length) {
            memory.write(checked(address, length), bytes, offset, length);
        }

        @Override
        public int readI32(int address) {
            return memory.readInt(checked(address, 4));
        }

        @Override
        public void writeI32(int address, int value) {
            memory.writeI32(checked(address, 4), value);
        }

        @Override
        public void writeI64(int address, long value) {
            memory.writeLong(checked(address, 8), value);
        }

        @Override
        public void writeI16(int address, short value) {
            memory.writeShort(checked(address, 2), value);
        }

        @Override
        public void writeI8(int address, byte value) {
            memory.writeByte(checked(address, 1), value);
        }
    }
}
