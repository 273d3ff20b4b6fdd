package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyHostcall;
import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.GuestMemory;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.RequestSource;
import dev.outpost.edge.sandbox.Sandbox;
import dev.outpost.edge.sandbox.Sandbox.Downstream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * {@code fastly_http_downstream} (and the older copies in {@code fastly_http_req}, which take no request handle and
 * mean the current client request): facts about a client request. As in Viceroy, TLS, fingerprint and proxy facts are
 * absent locally ({@code none}), the compliance region is {@code none}, bot facts come from the client's
 * {@code x-fastly-bot-*} headers, and {@code fastly-key} is valid when it is one of {@code fake_valid_fastly_keys}.
 */
final class HttpDownstreamHostcalls {
    /** How long a reusable sandbox waits for its next request unless it says otherwise. */
    static final Duration DEFAULT_NEXT_REQUEST_WAIT = Duration.ofSeconds(5);

    static final Duration MAX_NEXT_REQUEST_WAIT = Duration.ofMinutes(1);

    private static final String D = "fastly_http_downstream";
    private static final String[] BOT_CATEGORIES = {
        "none",
        "suspected",
        "accessibility",
        "ai-crawler",
        "ai-fetcher",
        "content-fetcher",
        "monitoring-site-tools",
        "online-marketing",
        "page-preview",
        "platform-integration",
        "research",
        "search-engine-crawler",
        "search-engine-optimization",
        "security-tools",
        "headless"
    };

    /** A pending {@code next_request}. */
    record RequestPromise(Duration timeout) {}

    private final Sandbox s;

    HttpDownstreamHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    /** Where a call finds its client request: from argument 0 ({@code fastly_http_downstream}) or the current one. */
    private interface Which {
        Downstream of(FastlyHostcall.Args a);
    }

    void register(HostcallTable t) {
        registerFacts(t, D, 1, a -> s.downstreamOf(a.i32(0)));
        registerFacts(t, "fastly_http_req", 0, a -> s.currentDownstream());
        // (req, buf, buf_len, cursor, ending_cursor_out, nwritten_out)
        t.fastly(
                D,
                "downstream_original_header_names",
                (m, a) -> Guest.multiValue(
                        m,
                        Guest.utf8(s.downstreamOf(a.i32(0)).originalHeaders().names()),
                        a.i32(1),
                        a.i32(2),
                        a.i32(3),
                        a.i32(4),
                        a.i32(5)));
        t.fastly(
                D,
                "downstream_original_header_count",
                (m, a) -> m.writeI32(
                        a.i32(1), s.downstreamOf(a.i32(0)).originalHeaders().size()));
        t.fastly(
                M_REQ,
                "original_header_names_get",
                (m, a) -> Guest.multiValue(
                        m,
                        Guest.utf8(s.currentDownstream().originalHeaders().names()),
                        a.i32(0),
                        a.i32(1),
                        a.i32(2),
                        a.i32(3),
                        a.i32(4)));
        t.fastly(
                M_REQ,
                "original_header_count",
                (m, a) -> m.writeI32(
                        a.i32(0), s.currentDownstream().originalHeaders().size()));
        t.fastly(M_REQ, "fastly_key_is_valid", (m, a) -> m.writeI32(a.i32(0), keyValid(s.currentDownstream())));
        t.fastly(D, "fastly_key_is_valid", (m, a) -> m.writeI32(a.i32(1), keyValid(s.downstreamOf(a.i32(0)))));
        flag(t, "downstream_bot_analyzed", d -> headerIsTrue(d, "x-fastly-bot-analyzed", false));
        flag(t, "downstream_bot_detected", d -> headerIsTrue(d, "x-fastly-bot-detected", false));
        flag(t, "downstream_bot_verified", d -> headerIsTrue(d, "x-fastly-bot-verified", true));
        flag(t, "downstream_bot_category_kind", HttpDownstreamHostcalls::botCategoryKind);
        // (req, buf, buf_len, nwritten_out)
        t.fastly(
                D,
                "downstream_bot_name",
                (m, a) -> m.writeOut(
                        a.i32(1), a.i32(2), header(s.downstreamOf(a.i32(0)), "x-fastly-bot-name"), a.i32(3)));
        t.fastly(
                D,
                "downstream_bot_category",
                (m, a) -> m.writeOut(
                        a.i32(1), a.i32(2), header(s.downstreamOf(a.i32(0)), "x-fastly-bot-category"), a.i32(3)));
        for (String absent : new String[] {
            "downstream_resvpnproxy_is_anonymous",
            "downstream_resvpnproxy_is_anonymous_vpn",
            "downstream_resvpnproxy_is_hosting_provider",
            "downstream_resvpnproxy_is_proxy_over_vpn",
            "downstream_resvpnproxy_is_public_proxy",
            "downstream_resvpnproxy_is_relay_proxy",
            "downstream_resvpnproxy_is_residential_proxy",
            "downstream_resvpnproxy_is_smart_dns_proxy",
            "downstream_resvpnproxy_is_tor_exit_node",
            "downstream_resvpnproxy_is_vpn_datacenter",
            "downstream_resvpnproxy_vpn_service_name"
        }) {
            t.fastly(D, absent, (m, a) -> {
                s.downstreamOf(a.i32(0));
                throw new HostcallException(FastlyStatus.NONE, absent + ": no proxy data locally");
            });
        }
        for (String visits : new String[] {"downstream_visits_this_service", "downstream_visits_this_pop"}) {
            t.unsupported(D, visits, "visit counts exist only in Fastly's network");
        }
        registerNextRequest(t);
    }

    private static final String M_REQ = "fastly_http_req";

    /** The calls both modules have; {@code o} is where their own arguments start. */
    private void registerFacts(HostcallTable t, String module, int o, Which which) {
        // downstream_client_ip_addr([req,] octets_out[16], nwritten_out)
        t.fastly(
                module,
                "downstream_client_ip_addr",
                (m, a) -> address(m, which.of(a).request().client(), a.i32(o), a.i32(o + 1)));
        t.fastly(
                module,
                "downstream_server_ip_addr",
                (m, a) -> address(m, which.of(a).request().server(), a.i32(o), a.i32(o + 1)));
        // downstream_client_request_id([req,] buf, buf_len, nwritten_out)
        t.fastly(
                module,
                "downstream_client_request_id",
                (m, a) ->
                        m.writeOut(a.i32(o), a.i32(o + 1), which.of(a).request().requestId(), a.i32(o + 2)));
        t.fastly(module, "downstream_client_ddos_detected", (m, a) -> {
            which.of(a);
            m.writeI32(a.i32(o), 0);
        });
        // downstream_compliance_region([req,] buf, buf_len, nwritten_out)
        t.fastly(module, "downstream_compliance_region", (m, a) -> {
            which.of(a);
            m.writeOut(a.i32(o), a.i32(o + 1), "none", a.i32(o + 2));
        });
        for (String absent : new String[] {
            "downstream_tls_cipher_openssl_name",
            "downstream_tls_protocol",
            "downstream_tls_client_hello",
            "downstream_tls_raw_client_certificate",
            "downstream_tls_client_cert_verify_result",
            "downstream_tls_ja3_md5",
            "downstream_tls_ja4",
            "downstream_tls_client_servername",
            "downstream_client_h2_fingerprint",
            "downstream_client_oh_fingerprint"
        }) {
            if (o == 0 && absent.equals("downstream_tls_client_servername")) {
                continue; // only fastly_http_downstream has it
            }
            t.fastly(module, absent, (m, a) -> {
                which.of(a);
                throw new HostcallException(FastlyStatus.NONE, absent + ": the client did not come over TLS");
            });
        }
    }

    private void flag(HostcallTable t, String name, ToIntFunction<Downstream> value) {
        t.fastly(D, name, (m, a) -> m.writeI32(a.i32(1), value.applyAsInt(s.downstreamOf(a.i32(0)))));
    }

    private int keyValid(Downstream d) {
        String key = d.request().head().headers.first("fastly-key");
        return key != null && s.services().config().fakeValidFastlyKeys().contains(key) ? 1 : 0;
    }

    private static String header(Downstream d, String name) {
        String value = d.originalHeaders().first(name);
        if (value == null) {
            throw new HostcallException(FastlyStatus.NONE, name + ": absent");
        }
        return value;
    }

    /** 1 when the header says {@code true}; absent is 0, or {@code none} when {@code required}. */
    private static int headerIsTrue(Downstream d, String name, boolean required) {
        String value = d.originalHeaders().first(name);
        if (value == null && required) {
            throw new HostcallException(FastlyStatus.NONE, name + ": absent");
        }
        return "true".equals(value) ? 1 : 0;
    }

    private static int botCategoryKind(Downstream d) {
        String category = header(d, "x-fastly-bot-category").toLowerCase(Locale.ROOT);
        for (int i = 0; i < BOT_CATEGORIES.length; i++) {
            if (BOT_CATEGORIES[i].equals(category)) {
                return i;
            }
        }
        try {
            return Integer.parseUnsignedInt(category);
        } catch (NumberFormatException e) {
            throw new HostcallException(FastlyStatus.NONE, "x-fastly-bot-category: " + category + " is not known");
        }
    }

    private void registerNextRequest(HostcallTable t) {
        // next_request(options_mask, options, promise_out): options.timeout_ms (u64) when mask bit 1 is set.
        t.fastly(D, "next_request", (m, a) -> {
            Duration wait = DEFAULT_NEXT_REQUEST_WAIT;
            if ((a.i32(0) & 2) != 0 && a.i32(1) != 0) {
                long lo = Integer.toUnsignedLong(m.readI32(a.i32(1)));
                long hi = Integer.toUnsignedLong(m.readI32(a.i32(1) + 4));
                wait = Duration.ofMillis(Math.min((hi << 32) | lo, MAX_NEXT_REQUEST_WAIT.toMillis()));
            }
            m.writeI32(a.i32(2), s.asyncItems.insert(new RequestPromise(wait)));
        });
        // next_request_wait(promise, req_out, body_out): none when no request came in time.
        t.fastly(D, "next_request_wait", (m, a) -> {
            RequestPromise promise = s.asyncItems.get(a.i32(0), RequestPromise.class, "request promise");
            s.asyncItems.remove(a.i32(0));
            RequestSource.Assignment next;
            try {
                next = s.requestSource().next(promise.timeout());
            } catch (InterruptedException e) {
                throw Guest.interrupted("next_request_wait", e);
            }
            if (next == null) {
                throw new HostcallException(
                        FastlyStatus.NONE, "next_request_wait: no request within " + promise.timeout());
            }
            s.switchTo(next);
            int[] handles = s.downstreamHandles();
            m.writeI32(a.i32(1), handles[0]);
            m.writeI32(a.i32(2), handles[1]);
        });
        t.fastly(D, "next_request_abandon", (m, a) -> {
            s.asyncItems.get(a.i32(0), RequestPromise.class, "request promise");
            s.asyncItems.remove(a.i32(0));
        });
    }

    private static void address(GuestMemory m, InetSocketAddress address, int out, int nwritten) {
        if (address == null || address.getAddress() == null) {
            throw new HostcallException(FastlyStatus.NONE, "no address");
        }
        byte[] octets = address.getAddress().getAddress();
        m.write(out, octets);
        m.writeI32(nwritten, octets.length);
    }
}
