package dev.outpost.junit;

import dev.outpost.grip.client.GripPublisher;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.config.ProxyConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * A GRIP proxy (Outpost's, wire-compatible with Pushpin) running in the test's JVM, for JUnit 5 (5.10 and later) and
 * JUnit 6. Register it on a static field; it starts before the class's first test on free ports and stops after its
 * last:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final OutpostExtension outpost = OutpostExtension.withRoutes("* 127.0.0.1:" + BACKEND_PORT);
 *
 * @Test
 * void streamGetsThePublish() throws Exception {
 *     // a client connects through outpost.proxyUrl(); the backend answers Grip-Hold: stream on channel "news"
 *     outpost.awaitSubscribers("news", 1, Duration.ofSeconds(5));
 *     outpost.publisher().publishHttpStream("news", "hello\n");
 * }
 * }</pre>
 *
 * <p>{@link #builder()} sets the rest: a {@code pushpin.conf}, the {@code Grip-Sig} key, the inspector. With
 * {@link #serve(Path)} it runs a Fastly Compute project with Fanout instead, as {@code outpost serve} does. When a
 * test fails, the proxy's recent log lines (with Logback as the SLF4J backend) and its channels are added to the
 * failure, as a suppressed exception named {@code OutpostReport}.
 */
public final class OutpostExtension
        implements BeforeAllCallback,
                AfterAllCallback,
                BeforeEachCallback,
                TestExecutionExceptionHandler,
                LifecycleMethodExecutionExceptionHandler {

    private final Settings settings;
    private Instance running;
    private Class<?> owner;
    private GripPublisher publisher;
    private LogBuffer log;
    private AutoCloseable logTap;
    private long testMark;

    OutpostExtension(Settings settings) {
        this.settings = settings;
    }

    /**
     * The proxy with these routes, in routes-file syntax (e.g. {@code "* 127.0.0.1:8080"},
     * {@code "id=api,path_beg=/api/ 127.0.0.1:9000,over_http"}). Without any route every request goes to the
     * proxy's built-in {@code test} target ({@code /stream}, {@code /response} on channel {@code test}).
     */
    public static OutpostExtension withRoutes(String... routeLines) {
        return builder().routes(routeLines).build();
    }

    /**
     * A Fastly Compute project served with Fanout, as {@code outpost serve} does (built first when it has a build
     * script), on free ports. Needs {@code dev.outpost:outpost-serve} on the test class path.
     */
    public static OutpostExtension serve(Path computeProject) {
        return builder().serve(computeProject).build();
    }

    /** Everything else: a {@code pushpin.conf}, the signing key, the inspector, a Compute project. */
    public static OutpostExtensionBuilder builder() {
        return new OutpostExtensionBuilder();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (running != null) {
            return; // a @Nested class inside the class that started it
        }
        owner = context.getRequiredTestClass();
        log = new LogBuffer(settings.logLines());
        logTap = LogbackTap.available() ? LogbackTap.attach(log) : null;
        try {
            running = settings.computeProject() != null ? startServe() : ProxyInstance.start(settings, log);
        } catch (Exception | Error e) {
            closeLogTap();
            throw e;
        }
        publisher = GripPublisher.fromGripUrl(publishUrl());
    }

    private Instance startServe() {
        if (!ServeInstance.available()) {
            throw new ExtensionConfigurationException("OutpostExtension.serve(" + settings.computeProject()
                    + ") needs dev.outpost:outpost-serve on the test class path (expected: a test dependency on it)");
        }
        return ServeInstance.start(settings, log);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (running == null || context.getRequiredTestClass() != owner) {
            return;
        }
        try {
            publisher.close();
            running.close();
        } finally {
            running = null;
            publisher = null;
            owner = null;
            closeLogTap();
        }
    }

    private void closeLogTap() throws Exception {
        if (logTap != null) {
            logTap.close();
            logTap = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (running == null) {
            throw new ExtensionConfigurationException("OutpostExtension is not running: register it on a static field"
                    + " (@RegisterExtension static final OutpostExtension outpost = ...), it starts once per class");
        }
        testMark = log.mark();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw withReport(throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw withReport(throwable);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
            throws Throwable {
        throw withReport(throwable);
    }

    private Throwable withReport(Throwable failure) {
        if (running != null) {
            failure.addSuppressed(new OutpostReport(report()));
        }
        return failure;
    }

    /** What the failure report shows: addresses, channels with subscribers, log lines since the test began. */
    String report() {
        StringBuilder sb = new StringBuilder();
        sb.append("Outpost ").append(running.describe()).append('\n');
        TreeMap<String, Integer> channels = new TreeMap<>();
        for (String c : running.proxy().hub().channels()) {
            channels.put(c, running.proxy().hub().subscriberCount(c));
        }
        sb.append("  channels with subscribers: ")
                .append(channels.isEmpty() ? "none" : channels.toString())
                .append('\n');
        if (logTap == null) {
            sb.append("  (log lines are collected when Logback is the SLF4J backend of the tests)\n");
            running.recentOutput().forEach(l -> sb.append("  ").append(l).append('\n'));
            return sb.toString();
        }
        List<String> lines = log.since(testMark);
        if (lines.isEmpty()) {
            List<String> before = log.last(20);
            sb.append("  no log lines during this test")
                    .append(before.isEmpty() ? "" : "; the last ones before it:")
                    .append('\n');
            before.forEach(l -> sb.append("  ").append(l).append('\n'));
        } else {
            sb.append("  log lines during this test:\n");
            lines.forEach(l -> sb.append("  ").append(l).append('\n'));
        }
        return sb.toString();
    }

    private Instance running() {
        Instance r = running;
        if (r == null) {
            throw new IllegalStateException("OutpostExtension is not running: it starts before the class's first test"
                    + " (use it from @BeforeAll, @BeforeEach or a test, with the extension on a static field)");
        }
        return r;
    }

    /** The proxy's client URL, {@code http://127.0.0.1:<port>} (for {@link #serve}: the GRIP proxy behind the edge). */
    public String proxyUrl() {
        return "http://" + host(running().proxy().httpAddress()) + ":" + proxyPort();
    }

    /** The proxy's client port. */
    public int proxyPort() {
        return running().proxy().httpPort();
    }

    /**
     * The publish API's base URL, {@code http://127.0.0.1:<port>}: a GRIP URL as {@code GRIP_URL} or
     * {@code outpost publish --spec} take it; items are posted to {@code publishUrl() + "/publish/"}.
     */
    public String publishUrl() {
        return "http://" + host(running().proxy().publishAddress()) + ":" + publishPort();
    }

    /** The publish API's port. */
    public int publishPort() {
        return running().proxy().publishPort();
    }

    /** The Compute server's URL, {@code http://127.0.0.1:<port>}, for {@link #serve}; else the proxy's URL. */
    public String edgeUrl() {
        return running().edgeUrl().orElseGet(this::proxyUrl);
    }

    /** The inspector's URL when it is on ({@link OutpostExtensionBuilder#inspector(boolean)}), else null. */
    public String inspectorUrl() {
        InetSocketAddress a = running().proxy().inspectorAddress();
        return a == null ? null : "http://" + host(a) + ":" + a.getPort() + "/";
    }

    /** A publisher bound to this proxy's publish API; closed with the extension. */
    public GripPublisher publisher() {
        running();
        return publisher;
    }

    /** The running proxy, for what the accessors here do not cover. */
    public OutpostProxy proxy() {
        return running().proxy();
    }

    /** Live subscribers (held requests and WebSockets) on {@code channel} now. */
    public int subscribers(String channel) {
        return running().proxy().hub().subscriberCount(channel);
    }

    /**
     * Waits until {@code channel} has at least {@code count} subscribers. A publish reaches only those subscribed
     * when it arrives, so a test waits for its clients to be held before it publishes.
     *
     * @throws AssertionError naming the channel, the count reached and the channels that do have subscribers
     */
    public void awaitSubscribers(String channel, int count, Duration timeout) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(timeout, "timeout");
        OutpostProxy proxy = running().proxy();
        long deadline = System.nanoTime() + timeout.toNanos();
        int now;
        while ((now = proxy.hub().subscriberCount(channel)) < count) {
            if (System.nanoTime() - deadline >= 0) {
                List<String> others = new ArrayList<>(proxy.hub().channels());
                others.sort(null);
                throw new AssertionError("channel '" + channel + "': " + now + " subscriber(s) after " + timeout
                        + ", expected at least " + count + " (channels with subscribers: "
                        + (others.isEmpty() ? "none" : others) + ")");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for subscribers on '" + channel + "'", e);
            }
        }
    }

    /** The last log lines kept (at most {@link OutpostExtensionBuilder#logLines(int)}). */
    public List<String> recentLogLines() {
        running();
        return log.last(settings.logLines());
    }

    private static String host(InetSocketAddress a) {
        String h = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0")) {
            return "127.0.0.1";
        }
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** What the builder collected. */
    record Settings(
            List<String> routeLines,
            Path pushpinConf,
            String sigIss,
            byte[] sigKey,
            boolean inspector,
            int logLines,
            Consumer<ProxyConfig.Builder> customizer,
            Path computeProject,
            String engine,
            boolean skipBuild) {}

    /** A started proxy or serve session. */
    interface Instance extends AutoCloseable {
        OutpostProxy proxy();

        Optional<String> edgeUrl();

        /** One line: what runs where. */
        String describe();

        /** Output that is not logging (a build, a banner), for reports without Logback. */
        List<String> recentOutput();

        @Override
        void close();
    }

    /** Added to a failed test's exception: the proxy's state and recent log lines. */
    static final class OutpostReport extends Exception {
        private static final long serialVersionUID = 1L;

        OutpostReport(String report) {
            super(report, null, false, false);
        }
    }
}
