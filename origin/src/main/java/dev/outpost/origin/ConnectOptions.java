package dev.outpost.origin;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a connection is made, beyond where ({@link Endpoint}): how long each address and the whole attempt may take,
 * the order the addresses of a name are tried in, the TLS settings, and the TLS server name sent.
 *
 * @param perAddress how long one address may take to accept the connection
 * @param total how long the whole connect may take, every address in turn (each gets at most what is left); zero for
 *     no bound beyond {@code perAddress}
 * @param order which addresses of a name are tried first
 * @param tls the TLS context's settings; null for the endpoint's trust mode ({@link TlsSettings#VERIFYING} or, for an
 *     insecure endpoint, {@link TlsSettings#INSECURE})
 * @param sni the server name sent in the handshake: null for the endpoint's {@linkplain Endpoint#serverName() server
 *     name}, empty for none; the certificate is always checked against the endpoint's server name
 */
public record ConnectOptions(Duration perAddress, Duration total, AddressOrder order, TlsSettings tls, String sni) {

    /** The proxy's: 10 s per address, addresses in the resolver's order, TLS by the endpoint's trust mode. */
    public static final ConnectOptions DEFAULT = new ConnectOptions(
            Duration.ofMillis(OriginConnector.CONNECT_TIMEOUT_MILLIS),
            Duration.ZERO,
            AddressOrder.AS_RESOLVED,
            null,
            null);

    public ConnectOptions {
        if (perAddress.isNegative() || perAddress.isZero() || total.isNegative()) {
            throw new IllegalArgumentException("connect timeouts: per address " + perAddress + ", total " + total
                    + " (expected: a positive time per address, and a total of zero or more)");
        }
    }

    /** Everything the same but the TLS settings and the server name sent. */
    public ConnectOptions withTls(TlsSettings settings, String serverNameSent) {
        return new ConnectOptions(perAddress, total, order, settings, serverNameSent);
    }

    /** The order of a name's addresses: as the resolver gave them, or one family before the other. */
    public enum AddressOrder {
        AS_RESOLVED,
        IPV6_FIRST,
        IPV4_FIRST;

        /** {@code addresses} in this order; within a family, the resolver's order. */
        public List<InetSocketAddress> apply(List<InetSocketAddress> addresses) {
            if (this == AS_RESOLVED) {
                return addresses;
            }
            List<InetSocketAddress> first = new ArrayList<>(addresses.size());
            List<InetSocketAddress> second = new ArrayList<>();
            for (InetSocketAddress a : addresses) {
                boolean v6 = a.getAddress() instanceof Inet6Address;
                (v6 == (this == IPV6_FIRST) ? first : second).add(a);
            }
            first.addAll(second);
            return first;
        }
    }
}
