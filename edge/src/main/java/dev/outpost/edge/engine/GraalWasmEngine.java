package dev.outpost.edge.engine;

import dev.outpost.edge.abi.GuestTrapException;
import dev.outpost.edge.abi.GuestExit;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.Hostcall;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.ByteSequence;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GraalWasm on Truffle. One shared polyglot {@link Engine} keeps parsed modules and JIT-compiled code across the
 * per-request contexts. With JVMCI and the Graal compiler on the module path it compiles hot guest code; otherwise it
 * interprets (still faster than Chicory for CPU-heavy guests).
 */
public final class GraalWasmEngine implements WasmEngine {
  private static final Logger log = LoggerFactory.getLogger(GraalWasmEngine.class);

  private final Engine engine;

  public GraalWasmEngine() {
    this.engine = Engine.newBuilder("wasm")
        .option("engine.WarnInterpreterOnly", "false")
        .build();
    log.debug("graalwasm runtime: {}", engine.getImplementationName());
  }

  /** {@code GraalVM CE} when the optimizing runtime is on, {@code Interpreted} otherwise. */
  public String implementationName() {
    return engine.getImplementationName();
  }

  /** Whether the Graal JIT compiles guest code (JVMCI on and the compiler present). */
  public boolean optimizing() {
    return !"Interpreted".equals(engine.getImplementationName());
  }

  @Override
  public String name() {
    return "graalwasm";
  }

  @Override
  public WasmModule load(String name, byte[] wasm) {
    List<WasmModule.FunctionImport> imports;
    try {
      imports = WasmImports.functions(wasm);
    } catch (RuntimeException e) {
      throw new WasmLoadException(name + ": " + e.getMessage(), e);
    }
    Source source = Source.newBuilder("wasm", ByteSequence.create(wasm), name).cached(true).buildLiteral();
    // Parse and validate once now, so the first request does not pay for it.
    try (Context context = newContext()) {
      context.eval(source);
    } catch (PolyglotException e) {
      throw new WasmLoadException(name + ": " + e.getMessage(), e);
    }
    return new GraalModule(source, imports);
  }

  private Context newContext() {
    return Context.newBuilder("wasm").engine(engine).build();
  }

  @Override
  public void close() {
    engine.close();
  }

  /** The hostcalls and memory of the instance running on a thread; import functions dispatch through it. */
  private record Binding(Hostcall[] hostcalls, GraalMemory memory) {}

  private static final ThreadLocal<Binding> CURRENT = new ThreadLocal<>();

  private final class GraalModule implements WasmModule {
    private final Source source;
    private final List<FunctionImport> imports;
    /** Built once: linking the same host objects into each new instance is cheaper than fresh ones. */
    private final Value importObject;

    GraalModule(Source source, List<FunctionImport> imports) {
      this.source = source;
      this.imports = imports;
      Map<String, Map<String, Object>> modules = new LinkedHashMap<>();
      for (int index = 0; index < imports.size(); index++) {
        FunctionImport imp = imports.get(index);
        int i = index;
        boolean hasResult = imp.resultCount() > 0;
        ProxyExecutable fn = args -> {
          long[] raw = new long[args.length];
          for (int a = 0; a < args.length; a++) {
            raw[a] = args[a].asLong();
          }
          Binding binding = CURRENT.get();
          int result = binding.hostcalls()[i].call(binding.memory(), raw);
          return hasResult ? Integer.valueOf(result) : null;
        };
        modules.computeIfAbsent(imp.module(), m -> new HashMap<>()).put(imp.name(), fn);
      }
      Map<String, Object> object = new HashMap<>();
      modules.forEach((module, functions) -> object.put(module, ProxyObject.fromMap(functions)));
      this.importObject = Value.asValue(ProxyObject.fromMap(object));
    }

    @Override
    public List<FunctionImport> imports() {
      return imports;
    }

    @Override
    public WasmInstance instantiate(ImportResolver resolver) {
      Hostcall[] hostcalls = new Hostcall[imports.size()];
      for (int i = 0; i < hostcalls.length; i++) {
        hostcalls[i] = resolver.resolve(imports.get(i));
      }
      Binding binding = new Binding(hostcalls, new GraalMemory());
      Context context = newContext();
      Binding previous = CURRENT.get();
      CURRENT.set(binding);
      try {
        Value module = context.eval(source);
        Value instance = module.newInstance(importObject);
        Value exports = instance.getMember("exports");
        binding.memory().buffer = exports.getMember("memory");
        return new GraalInstance(context, exports.getMember("_start"), binding);
      } catch (PolyglotException e) {
        context.close();
        throw new GuestTrapException("instantiation failed: " + e.getMessage(), e);
      } finally {
        CURRENT.set(previous);
      }
    }

    @Override
    public void close() {}
  }

  private record GraalInstance(Context context, Value start, Binding binding) implements WasmInstance {
    @Override
    public void cancel() {
      context.close(true);
    }

    @Override
    public int runStart() {
      Binding previous = CURRENT.get();
      CURRENT.set(binding);
      try {
        start.executeVoid();
        return 0;
      } catch (PolyglotException e) {
        if (e.isHostException()) {
          Throwable host = e.asHostException();
          GuestExit exit = HostFailure.exitIn(host);
          if (exit != null) {
            return exit.code();
          }
          GuestTrapException trap = HostFailure.trapIn(host);
          if (trap != null) {
            throw trap;
          }
          throw new GuestTrapException("host error: " + host, host);
        }
        if (e.isExit()) {
          return e.getExitStatus();
        }
        if (e.isCancelled()) {
          throw new GuestTrapException("cancelled", e);
        }
        throw new GuestTrapException("wasm trap: " + e.getMessage(), e);
      } finally {
        CURRENT.set(previous);
      }
    }

    @Override
    public void close() {
      try {
        context.close(true);
      } catch (PolyglotException | IllegalStateException e) {
        // Already closed by cancel().
      }
    }
  }

  /** Guest memory through the polyglot buffer API (little-endian, as Wasm). */
  private static final class GraalMemory implements GuestMemory {
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private Value buffer;

    @Override
    public long size() {
      return buffer.getBufferSize();
    }

    @Override
    public byte[] read(int address, int length) {
      byte[] out = new byte[length];
      buffer.readBuffer(Integer.toUnsignedLong(address), out, 0, length);
      return out;
    }

    @Override
    public void write(int address, byte[] bytes, int offset, int length) {
      long at = Integer.toUnsignedLong(address);
      // No bulk write in the polyglot API: 8 bytes at a time, then the tail.
      ByteBuffer view = ByteBuffer.wrap(bytes, offset, length).order(LE);
      int i = 0;
      for (; i + 8 <= length; i += 8) {
        buffer.writeBufferLong(LE, at + i, view.getLong(offset + i));
      }
      for (; i < length; i++) {
        buffer.writeBufferByte(at + i, bytes[offset + i]);
      }
    }

    @Override
    public int readI32(int address) {
      return buffer.readBufferInt(LE, Integer.toUnsignedLong(address));
    }

    @Override
    public void writeI32(int address, int value) {
      buffer.writeBufferInt(LE, Integer.toUnsignedLong(address), value);
    }

    @Override
    public void writeI64(int address, long value) {
      buffer.writeBufferLong(LE, Integer.toUnsignedLong(address), value);
    }

    @Override
    public void writeI16(int address, short value) {
      buffer.writeBufferShort(LE, Integer.toUnsignedLong(address), value);
    }

    @Override
    public void writeI8(int address, byte value) {
      buffer.writeBufferByte(Integer.toUnsignedLong(address), value);
    }
  }

}
