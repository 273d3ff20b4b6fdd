package dev.outpost.serve;

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

    /** Without {@code --force-build}. */
    public ServeOptions(
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
            Duration guestTimeLimit) {
        this(
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
                false);
    }

    /** With the default guard rails (docs/limits.md, "Edge"). */
    public ServeOptions(
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
            boolean clearCacheOnReload) {
        this(
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
                EdgeLimits.DEFAULT,
                EdgeServices.DEFAULT_MEMORY_LIMIT,
                EdgeConfig.DEFAULT_REQUEST_TIMEOUT);
    }

    /** Without the cache options (their defaults: 64 MiB, readthrough on, kept across reloads). */
    public ServeOptions(
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
            String inspectorPort) {
        this(
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
                null,
                true,
                false);
    }

    /** Without {@code --inspector-port}. */
    public ServeOptions(
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
            boolean watch) {
        this(
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
                null);
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
