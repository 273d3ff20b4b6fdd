package dev.outpost.junit;

import dev.outpost.proxy.OutpostProxy;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A Compute project served with Fanout ({@code outpost serve}) on free ports. {@code outpost-serve} is reached by
 * reflection, through {@code ServeSession.startOnFreePorts} and {@code ServeOptions.builder}, so that this
 * module does not depend on it: serve's own tests (and cli's) can then use the extension without a cycle
 * (docs/adr/0010). serve's tests run this path ({@code ServeExtensionTest} there), so a changed signature fails the
 * build, not a user.
 */
final class ServeInstance implements OutpostExtension.Instance {
    private static final String PACKAGE = "dev.outpost.serve.";

    private final AutoCloseable session;
    private final OutpostProxy proxy;
    private final int edgePort;
    private final LogBuffer output;

    private ServeInstance(AutoCloseable session, OutpostProxy proxy, int edgePort, LogBuffer output) {
        this.session = session;
        this.proxy = proxy;
        this.edgePort = edgePort;
        this.output = output;
    }

    /** True when {@code outpost-serve} is on the class path. */
    static boolean available() {
        try {
            Class.forName(PACKAGE + "ServeSession", false, ServeInstance.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Starts the session; the caller checked {@link #available()}. */
    static ServeInstance start(OutpostExtension.Settings s, LogBuffer log) {
        LogBuffer output = new LogBuffer(s.logLines());
        PrintStream out = lines(line -> {
            output.add(line);
            log.add("serve: " + line);
        });
        Object session;
        try {
            Object options = options(s);
            Method start = type("ServeSession")
                    .getMethod("startOnFreePorts", options.getClass(), PrintStream.class, PrintStream.class);
            session = start.invoke(null, options, out, out);
        } catch (InvocationTargetException e) {
            throw failed(s, output, e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new ExtensionConfigurationException(
                    "OutpostExtension.serve(" + s.computeProject() + "): this outpost-serve does not match"
                            + " outpost-junit (expected: both of one Outpost version): " + e,
                    e);
        }
        try {
            Class<?> type = session.getClass();
            OutpostProxy proxy = (OutpostProxy) type.getMethod("proxy").invoke(session);
            int edgePort = (Integer) type.getMethod("edgePort").invoke(session);
            return new ServeInstance((AutoCloseable) session, proxy, edgePort, output);
        } catch (ReflectiveOperationException | RuntimeException e) {
            closeQuietly((AutoCloseable) session);
            throw new ExtensionConfigurationException("OutpostExtension.serve(" + s.computeProject() + "): " + e, e);
        }
    }

    /** {@code ServeOptions.builder(...)...build()}: free edge port, Fanout on, no watch. */
    private static Object options(OutpostExtension.Settings s) throws ReflectiveOperationException {
        Object b = type("ServeOptions").getMethod("builder", Path.class).invoke(null, s.computeProject());
        Class<?> builder = b.getClass();
        builder.getMethod("address", InetSocketAddress.class).invoke(b, new InetSocketAddress("127.0.0.1", 0));
        builder.getMethod("skipBuild", boolean.class).invoke(b, s.skipBuild());
        builder.getMethod("engine", String.class).invoke(b, s.engine());
        builder.getMethod("pushpin", boolean.class, String.class, String.class, String.class)
                .invoke(b, true, null, null, null);
        builder.getMethod("inspectorPort", String.class).invoke(b, s.inspector() ? "0" : "off");
        return builder.getMethod("build").invoke(b);
    }

    private static Class<?> type(String simpleName) throws ClassNotFoundException {
        return Class.forName(PACKAGE + simpleName, true, ServeInstance.class.getClassLoader());
    }

    /**
     * What serve threw, as the extension reports it: a {@code ServeException} with exit code 2 is a bad project or
     * option, any other a failure to run (both with serve's last output lines); unchecked ones pass unchanged.
     */
    private static RuntimeException failed(OutpostExtension.Settings s, LogBuffer output, Throwable cause) {
        if (cause instanceof Error error) {
            throw error;
        }
        if (cause instanceof RuntimeException unchecked) {
            return unchecked;
        }
        String what = "OutpostExtension.serve(" + s.computeProject() + "): " + cause.getMessage();
        List<String> recent = output.last(20);
        String tail = recent.isEmpty() ? "" : "\n  " + String.join("\n  ", recent);
        boolean usage = false;
        if (cause.getClass().getName().equals(PACKAGE + "ServeException")) {
            try {
                usage = (Integer) cause.getClass().getMethod("exitCode").invoke(cause) == 2;
            } catch (ReflectiveOperationException e) {
                cause.addSuppressed(e);
            }
        }
        return usage
                ? new ExtensionConfigurationException(what + tail, cause)
                : new IllegalStateException(what + tail, cause);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already failing: the first error is the one to report
        }
    }

    /** A stream that hands each finished line to {@code sink}. */
    private static PrintStream lines(Consumer<String> sink) {
        return new PrintStream(
                new OutputStream() {
                    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                    @Override
                    public synchronized void write(int b) {
                        if (b == '\n') {
                            sink.accept(line.toString(StandardCharsets.UTF_8).stripTrailing());
                            line.reset();
                        } else if (line.size() < 4096) {
                            line.write(b);
                        }
                    }
                },
                true,
                StandardCharsets.UTF_8);
    }

    @Override
    public OutpostProxy proxy() {
        return proxy;
    }

    @Override
    public Optional<String> edgeUrl() {
        return Optional.of("http://127.0.0.1:" + edgePort);
    }

    @Override
    public String describe() {
        return "serve: Compute server on http://127.0.0.1:" + edgePort + ", GRIP proxy on http://127.0.0.1:"
                + proxy().httpPort() + " (publish http://127.0.0.1:" + proxy().publishPort() + ")";
    }

    @Override
    public List<String> recentOutput() {
        return output.last(20);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("closing serve: " + e.getMessage(), e);
        }
    }
}
