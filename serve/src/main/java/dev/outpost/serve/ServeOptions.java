package dev.outpost.serve;

import dev.outpost.edge.engine.Engines;
import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.server.EdgeConfig;
import dev.outpost.edge.server.EdgeLimits;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What {@code outpost serve} was asked to do. Null means "not given on the command line".
 *
 * @param dir the project folder
 * @param manifest {@code -C}: a fastly.toml to use instead of {@code dir/fastly.toml}
 * @param address where the Compute server listens
 * @param wasm {@code --file}: the program (no build when given)
 * @param pushpinProxyPort {@code --pushpin-proxy-port}, as typed
 * @param pushpinPublishPort {@code --pushpin-publish-port}, as typed
 * @param inspectorPort {@code --inspector-port}, as typed (null: the default)
 * @param cacheSize {@code --cache-size}, as typed (null: 64 MiB)
 * @param readthroughCache false with {@code --no-readthrough-cache}: backend requests go straight to the backend
 * @param clearCacheOnReload {@code --clear-cache-on-reload}: a {@code --watch} reload starts with an empty cache
 * @param limits {@code --max-guests}, {@code --guest-queue}, {@code --request-body-buffer},
 *     {@code --handoff-body-limit}
 * @param memoryLimit {@code --memory-limit}: bytes of linear memory one guest may grow to
 * @param guestTimeLimit {@code --guest-time-limit}: how long one guest run may take
 * @param forceBuild {@code --force-build}: build even when the project's files are those of the last build
 */
public record ServeOptions(
        Path dir,
        Path manifest,
        InetSocketAddress address,
        Path wasm,
        boolean skipBuild,
        String engine,
        boolean enablePushpin,
        String pushpinProxyPort,
        String pushpinPublishPort,
        String pushpinPath,
        boolean watch,
        String inspectorPort,
        String cacheSize,
        boolean readthroughCache,
        boolean clearCacheOnReload,
        EdgeLimits limits,
        long memoryLimit,
        Duration guestTimeLimit,
        boolean forceBuild) {

    /**
     * What {@code outpost serve DIR} does with no other option (listening on 127.0.0.1:7676); the builder's
     * methods set the options given.
     */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options one group at a time, each left at the command's default unless set. */
    public static final class Builder {
        private final Path dir;
        private Path manifest;
        private InetSocketAddress address = new InetSocketAddress("127.0.0.1", 7676);
        private Path wasm;
        private boolean skipBuild;
        private String engine = Engines.DEFAULT;
        private boolean enablePushpin;
        private String pushpinProxyPort;
        private String pushpinPublishPort;
        private String pushpinPath;
        private boolean watch;
        private String inspectorPort;
        private String cacheSize;
        private boolean readthroughCache = true;
        private boolean clearCacheOnReload;
        private EdgeLimits limits = EdgeLimits.DEFAULT;
        private long memoryLimit = EdgeServices.DEFAULT_MEMORY_LIMIT;
        private Duration guestTimeLimit = EdgeConfig.DEFAULT_REQUEST_TIMEOUT;
        private boolean forceBuild;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** {@code -C}. */
        public Builder manifest(Path manifest) {
            this.manifest = manifest;
            return this;
        }

        /** {@code --addr}. */
        public Builder address(InetSocketAddress address) {
            this.address = address;
            return this;
        }

        /** {@code --file}. */
        public Builder wasm(Path wasm) {
            this.wasm = wasm;
            return this;
        }

        /** {@code --skip-build}. */
        public Builder skipBuild(boolean skipBuild) {
            this.skipBuild = skipBuild;
            return this;
        }

        /** {@code --force-build}. */
        public Builder forceBuild(boolean forceBuild) {
            this.forceBuild = forceBuild;
            return this;
        }

        /** {@code --engine}. */
        public Builder engine(String engine) {
            this.engine = engine;
            return this;
        }

        /**
         * {@code --experimental-enable-pushpin}, {@code --pushpin-proxy-port}, {@code --pushpin-publish-port} and
         * {@code --pushpin-path} (null: not given).
         */
        public Builder pushpin(boolean enable, String proxyPort, String publishPort, String path) {
            this.enablePushpin = enable;
            this.pushpinProxyPort = proxyPort;
            this.pushpinPublishPort = publishPort;
            this.pushpinPath = path;
            return this;
        }

        /** {@code --watch}. */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** {@code --inspector-port} (null: the default). */
        public Builder inspectorPort(String inspectorPort) {
            this.inspectorPort = inspectorPort;
            return this;
        }

        /** {@code --cache-size} (null: 64 MiB), not {@code --no-readthrough-cache}, {@code --clear-cache-on-reload}. */
        public Builder cache(String size, boolean readthrough, boolean clearOnReload) {
            this.cacheSize = size;
            this.readthroughCache = readthrough;
            this.clearCacheOnReload = clearOnReload;
            return this;
        }

        /** The guard rails: {@code --max-guests} and the like, {@code --memory-limit}, {@code --guest-time-limit}. */
        public Builder guests(EdgeLimits limits, long memoryLimit, Duration guestTimeLimit) {
            this.limits = limits;
            this.memoryLimit = memoryLimit;
            this.guestTimeLimit = guestTimeLimit;
            return this;
        }

        /** The options as set. */
        public ServeOptions build() {
            return new ServeOptions(
                    dir,
                    manifest,
                    address,
                    wasm,
                    skipBuild,
                    engine,
                    enablePushpin,
                    pushpinProxyPort,
                    pushpinPublishPort,
                    pushpinPath,
                    watch,
                    inspectorPort,
                    cacheSize,
                    readthroughCache,
                    clearCacheOnReload,
                    limits,
                    memoryLimit,
                    guestTimeLimit,
                    forceBuild);
        }
    }

    /** Parses {@code HOST:PORT} (IPv6 as {@code [::1]:PORT}). */
    public static InetSocketAddress parseAddress(String value) throws ServeException {
        int colon = value.lastIndexOf(':');
        String expected = " (expected: HOST:PORT, e.g. 127.0.0.1:7676)";
        if (colon <= 0) {
            throw new ServeException(2, "--addr: " + value + expected);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ServeException(2, "--addr: " + value + expected);
        }
        if (port < 0 || port > 65535 || host.isEmpty()) {
            throw new ServeException(2, "--addr: " + value + expected);
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * A size in bytes, with an optional binary unit: {@code 512k}, {@code 64m}, {@code 1g} (also {@code KB},
     * {@code MiB} and so on, any case).
     */
    public static long parseSize(String flag, String value) throws ServeException {
        String expected = " (expected: a size such as 64m, 512k or 1g)";
        var m = Pattern.compile("(?i)\\s*(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)\\s*")
                .matcher(value);
        if (!m.matches()) {
            throw new ServeException(2, flag + ": " + value + expected);
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k", "kb", "kib" -> 10;
            case "m", "mb", "mib" -> 20;
            case "g", "gb", "gib" -> 30;
            default -> 0;
        };
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ServeException(2, flag + ": " + value + expected);
        }
        if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
            throw new ServeException(2, flag + ": " + value + expected);
        }
        return n << shift;
    }

    /** A port flag as the Fastly CLI checks it: a number from 1 to 65535. */
    public static int parsePortFlag(String flag, String value) throws ServeException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ServeException(2, "can't parse " + flag + " value as a number: " + value);
        }
        if (n < 1 || n > 65535) {
            throw new ServeException(2, flag + " must be a number between 1 and 65535 (got: " + n + ")");
        }
        return (int) n;
    }
}
