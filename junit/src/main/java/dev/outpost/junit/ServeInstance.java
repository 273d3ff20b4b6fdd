package dev.outpost.junit;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.serve.ServeException;
import dev.outpost.serve.ServeOptions;
import dev.outpost.serve.ServeSession;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** A Compute project served with Fanout ({@code outpost serve}) on free ports. Loaded only when used. */
final class ServeInstance implements OutpostExtension.Instance {
    private final ServeSession session;
    private final LogBuffer output;

    private ServeInstance(ServeSession session, LogBuffer output) {
        this.session = session;
        this.output = output;
    }

    /** Starts the session; the caller checked that {@code outpost-serve} is on the class path. */
    static ServeInstance start(OutpostExtension.Settings s, LogBuffer log) {
        LogBuffer output = new LogBuffer(s.logLines());
        PrintStream out = lines(line -> {
            output.add(line);
            log.add("serve: " + line);
        });
        ServeOptions options = new ServeOptions(
                s.computeProject(),
                null,
                new InetSocketAddress("127.0.0.1", 0),
                null,
                s.skipBuild(),
                s.engine(),
                true,
                null,
                null,
                null,
                false,
                s.inspector() ? "0" : "off");
        try {
            return new ServeInstance(ServeSession.startOnFreePorts(options, out, out), output);
        } catch (ServeException e) {
            String what = "OutpostExtension.serve(" + s.computeProject() + "): " + e.getMessage();
            List<String> recent = output.last(20);
            String tail = recent.isEmpty() ? "" : "\n  " + String.join("\n  ", recent);
            throw e.exitCode() == 2
                    ? new ExtensionConfigurationException(what + tail, e)
                    : new IllegalStateException(what + tail, e);
        }
    }

    /** A stream that hands each finished line to {@code sink}. */
    private static PrintStream lines(java.util.function.Consumer<String> sink) {
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
        return session.proxy();
    }

    @Override
    public Optional<String> edgeUrl() {
        return Optional.of("http://127.0.0.1:" + session.edgePort());
    }

    @Override
    public String describe() {
        return "serve: Compute server on http://127.0.0.1:" + session.edgePort() + ", GRIP proxy on http://127.0.0.1:"
                + proxy().httpPort() + " (publish http://127.0.0.1:" + proxy().publishPort() + ")";
    }

    @Override
    public List<String> recentOutput() {
        return output.last(20);
    }

    @Override
    public void close() {
        session.close();
    }
}
