package dev.outpost.junit;

import dev.outpost.grip.sig.SigKey;
import dev.outpost.proxy.config.ProxyConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Options of an {@link OutpostExtension}; from {@link OutpostExtension#builder()}.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final OutpostExtension outpost = OutpostExtension.builder()
 *         .pushpinConf(Path.of("src/test/resources/pushpin.conf"))
 *         .sigKey("changeme")
 *         .inspector(true)
 *         .build();
 * }</pre>
 *
 * <p>The proxy always listens on free ports of 127.0.0.1, whatever a {@code pushpin.conf} says.
 */
public final class OutpostExtensionBuilder {
    private final List<String> routeLines = new ArrayList<>();
    private Path pushpinConf;
    private String sigIss;
    private byte[] sigKey;
    private boolean inspector;
    private int logLines = 200;
    private Consumer<ProxyConfig.Builder> customizer = b -> {};
    private Path computeProject;
    private String engine = "graalwasm";
    private boolean skipBuild;

    OutpostExtensionBuilder() {}

    /** Route lines in routes-file syntax; they replace the routes file a {@code pushpin.conf} names. */
    public OutpostExtensionBuilder routes(String... lines) {
        for (String l : lines) {
            routeLines.add(Objects.requireNonNull(l, "route line"));
        }
        return this;
    }

    /**
     * A {@code pushpin.conf} to read as Pushpin does (its routes file, {@code sig_key}, limits...), except for the
     * ports and addresses: the proxy listens on free ports of 127.0.0.1. The routes file is read once.
     */
    public OutpostExtensionBuilder pushpinConf(Path file) {
        this.pushpinConf = Objects.requireNonNull(file, "file");
        return this;
    }

    /** The key the proxy signs {@code Grip-Sig} with, plain or {@code base64:...} (issuer "pushpin"). */
    public OutpostExtensionBuilder sigKey(String keySpec) {
        this.sigKey = SigKey.parse(Objects.requireNonNull(keySpec, "keySpec"));
        return this;
    }

    /** The issuer ({@code iss}) of {@code Grip-Sig} tokens. */
    public OutpostExtensionBuilder sigIss(String iss) {
        this.sigIss = Objects.requireNonNull(iss, "iss");
        return this;
    }

    /** The live inspector and Prometheus {@code /metrics} on a free port ({@link OutpostExtension#inspectorUrl()}). */
    public OutpostExtensionBuilder inspector(boolean on) {
        this.inspector = on;
        return this;
    }

    /** How many recent log lines to keep for failure reports (default 200). */
    public OutpostExtensionBuilder logLines(int lines) {
        if (lines < 1) {
            throw new IllegalArgumentException("logLines: " + lines + " (expected: >= 1)");
        }
        this.logLines = lines;
        return this;
    }

    /** Any other proxy setting, applied last (the ports stay free ones). */
    public OutpostExtensionBuilder configure(Consumer<ProxyConfig.Builder> customizer) {
        this.customizer = Objects.requireNonNull(customizer, "customizer");
        return this;
    }

    /**
     * Serves a Fastly Compute project with Fanout instead of a bare proxy (as {@code outpost serve}): its
     * {@code [local_server.backends]} become the proxy's routes. Needs {@code dev.outpost:outpost-serve}.
     */
    public OutpostExtensionBuilder serve(Path computeProject) {
        this.computeProject = Objects.requireNonNull(computeProject, "computeProject");
        return this;
    }

    /** The Wasm engine for {@link #serve}: {@code graalwasm} (default) or {@code chicory}. */
    public OutpostExtensionBuilder engine(String engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        return this;
    }

    /** For {@link #serve}: run the project's {@code bin/main.wasm} as it is, without its build script. */
    public OutpostExtensionBuilder skipBuild() {
        this.skipBuild = true;
        return this;
    }

    /** The extension, to put on a static {@code @RegisterExtension} field. */
    public OutpostExtension build() {
        if (computeProject != null && (!routeLines.isEmpty() || pushpinConf != null)) {
            throw new IllegalStateException("serve(" + computeProject + ") with routes or a pushpin.conf: the routes"
                    + " come from the project's fastly.toml (expected: one of them)");
        }
        return new OutpostExtension(new OutpostExtension.Settings(
                List.copyOf(routeLines),
                pushpinConf,
                sigIss,
                sigKey == null ? null : sigKey.clone(),
                inspector,
                logLines,
                customizer,
                computeProject,
                engine,
                skipBuild));
    }
}
