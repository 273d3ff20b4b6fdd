package dev.outpost.edge.backend;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A backend's host name to its addresses, through Netty's DNS resolver: {@code /etc/hosts} first, then the name
 * servers of {@code /etc/resolv.conf}, answers cached for their TTL, never blocking an event loop. Both address
 * families are asked for (IPv4 only on a JVM that prefers the IPv4 stack); {@link #ordered} puts them in the order a
 * backend tries them.
 */
final class BackendResolver implements AutoCloseable {
    private final DnsNameResolver dns;

    BackendResolver(EventLoopGroup group) {
        this.dns = new DnsNameResolverBuilder(group.next())
                .datagramChannelType(NioDatagramChannel.class)
                // Answers too long for UDP are asked again over TCP.
                .socketChannelType(NioSocketChannel.class)
                .resolvedAddressTypes(
                        NetUtil.isIpV4StackPreferred()
                                ? ResolvedAddressTypes.IPV4_ONLY
                                : ResolvedAddressTypes.IPV6_PREFERRED)
                .build();
    }

    /** All addresses of {@code host} (a name or an IP literal, IPv6 ones with or without brackets). */
    CompletableFuture<List<InetAddress>> resolve(String host) {
        CompletableFuture<List<InetAddress>> result = new CompletableFuture<>();
        dns.resolveAll(unbracketed(host)).addListener(f -> {
            if (f.isSuccess()) {
                @SuppressWarnings("unchecked")
                List<InetAddress> all = (List<InetAddress>) f.getNow();
                result.complete(all);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /**
     * The order to try {@code addresses} in, as production does: IPv6 ones first, unless the backend prefers IPv4
     * ({@code prefer_ipv4}); within a family, the resolver's order.
     */
    static List<InetAddress> ordered(List<InetAddress> addresses, boolean preferIpv4) {
        List<InetAddress> first = new ArrayList<>();
        List<InetAddress> second = new ArrayList<>();
        for (InetAddress a : addresses) {
            boolean v6 = a instanceof Inet6Address;
            (v6 != preferIpv4 ? first : second).add(a);
        }
        first.addAll(second);
        return first;
    }

    static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public void close() {
        dns.close();
    }
}
