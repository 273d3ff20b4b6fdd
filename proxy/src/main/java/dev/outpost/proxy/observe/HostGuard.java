package dev.outpost.proxy.observe;

import io.netty.util.NetUtil;
import java.util.Arrays;
import java.util.Locale;

/**
 * Which {@code Host} values the inspector answers, against DNS rebinding: a page on another site whose name is made
 * to resolve to 127.0.0.1 reaches the inspector as the same origin, but its requests still carry that site's name.
 * Accepted: no {@code Host} (not a browser), {@code localhost} and names under {@code .localhost}, loopback
 * addresses, the configured bind address, and, when the inspector listens on every interface, any IP address (an
 * address cannot be rebound).
 */
final class HostGuard {
    private HostGuard() {}

    static boolean allowed(String hostHeader, String bindHost) {
        if (hostHeader == null || hostHeader.isBlank()) {
            return true;
        }
        String host = hostOnly(hostHeader.strip()).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.equals("localhost") || host.endsWith(".localhost")) {
            return true;
        }
        String bind = bindHost == null ? "" : hostOnly(bindHost.strip()).toLowerCase(Locale.ROOT);
        if (!host.isEmpty() && host.equals(bind)) {
            return true;
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        if (ip == null) {
            return false;
        }
        if (isLoopback(ip)) {
            return true;
        }
        byte[] bindIp = NetUtil.createByteArrayFromIpAddressString(bind);
        if (bindIp != null && Arrays.equals(bindIp, ip)) {
            return true;
        }
        return bindIp != null && isWildcard(bindIp);
    }

    private static boolean isLoopback(byte[] ip) {
        if (ip.length == 4) {
            return ip[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[15] == 1;
    }

    private static boolean isWildcard(byte[] ip) {
        for (byte b : ip) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The inspector's address for a message: {@code 127.0.0.1} for a wildcard bind address. */
    static String url(String bindHost, int port) {
        String h = bindHost == null || bindHost.isBlank() ? "127.0.0.1" : hostOnly(bindHost.strip());
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(h);
        if (ip != null && isWildcard(ip)) {
            h = "127.0.0.1";
        } else if (h.indexOf(':') >= 0) {
            h = "[" + h + "]";
        }
        return "http://" + h + ":" + port + "/";
    }

    /** The host of a {@code Host} value: no port, no IPv6 brackets. */
    static String hostOnly(String h) {
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        // a bare IPv6 address (a bind address) has several colons
        return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.substring(0, colon) : h;
    }
}
