package dev.outpost.serve;

import dev.outpost.edge.sandbox.EdgeServices;
import dev.outpost.edge.server.EdgeLimits;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * What {@code outpost serve} was asked to do. Null means "not given on the command line".
 *
 * @param dir the project folder
 * @param manifest {@code -C}: a fastly.toml to use instead of {@code dir/fastly.toml}
 * @param address where the Compute server listens
 * @param wasm {@code --file}: the program (no build when given)
 * @param pushpinProxyPort {@code --pushpin-proxy-port}, as typed
 * @param pushpinPublishPort {@code --pushpin-publish-port}, as typed
 * @param inspectorPort {@code --inspector-port}, as typed (null: the default, as {@code outpost proxy})
 * @param limits {@code --max-guests}, {@code --guest-queue}, {@code --request-body-buffer},
 *     {@code --handoff-body-limit}
 * @param memoryLimit {@code --memory-limit}: bytes of linear memory one guest may grow to
 * @param guestTimeLimit {@code --guest-time-limit}: how long one guest run may take
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
        EdgeLimits limits,
        long memoryLimit,
        java.time.Duration guestTimeLimit) {

    /** With the default guard rails. */
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
                EdgeLimits.DEFAULT,
                EdgeServices.DEFAULT_MEMORY_LIMIT,
                dev.outpost.edge.server.EdgeConfig.DEFAULT_REQUEST_TIMEOUT);
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
