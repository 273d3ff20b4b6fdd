package dev.outpost.serve;

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
 * @param inspectorPort {@code --inspector-port}, as typed (null: the default)
 * @param forceBuild {@code --force-build}: build even when nothing changed since the last build
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
                false);
    }

    /** Without {@code --inspector-port} and {@code --force-build}. */
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
                null,
                false);
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
