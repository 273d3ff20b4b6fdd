package dev.outpost.edge.hostcalls;

import dev.outpost.edge.abi.FastlyStatus;
import dev.outpost.edge.abi.HostcallException;
import dev.outpost.edge.sandbox.RequestSource;
import dev.outpost.edge.sandbox.Sandbox;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * {@code fastly_http_downstream} (and the deprecated copies in {@code fastly_http_req}): facts about the client
 * connection. TLS and bot facts are absent locally ({@code none}), as in Viceroy.
 */
final class HttpDownstreamHostcalls {
    /** How long a reusable sandbox waits for its next request unless it says otherwise. */
    static final Duration DEFAULT_NEXT_REQUEST_WAIT = Duration.ofSeconds(5);

    static final Duration MAX_NEXT_REQUEST_WAIT = Duration.ofMinutes(1);

    /** A pending {@code next_request}. */
    record RequestPromise(Duration timeout) {}

    private final Sandbox s;

    HttpDownstreamHostcalls(Sandbox sandbox) {
        this.s = sandbox;
    }

    void register(HostcallTable t) {
        for (String module : new String[] {"fastly_http_downstream", "fastly_http_req"}) {
            boolean withReq = module.equals("fastly_http_downstream");
            int o = withReq ? 1 : 0;
            // downstream_client_ip_addr([req,] octets_out[16], nwritten_out)
            t.fastly(
                    module,
                    "downstream_client_ip_addr",
                    (m, a) -> address(m, s.downstream().client(), a.i32(o), a.i32(o + 1)));
            t.fastly(
                    module,
                    "downstream_server_ip_addr",
                    (m, a) -> address(m, s.downstream().server(), a.i32(o), a.i32(o + 1)));
            // downstream_client_request_id([req,] buf, buf_len, nwritten_out)
            t.fastly(
                    module,
                    "downstream_client_request_id",
                    (m, a) -> m.writeOut(a.i32(o), a.i32(o + 1), s.downstream().requestId(), a.i32(o + 2)));
            for (String absent : new String[] {
                "downstream_tls_cipher_openssl_name",
                "downstream_tls_protocol",
                "downstream_tls_client_hello",
                "downstream_tls_raw_client_certificate",
                "downstream_tls_ja3_md5",
                "downstream_tls_ja4",
                "downstream_tls_client_servername",
                "downstream_client_h2_fingerprint",
                "downstream_client_oh_fingerprint",
                "downstream_bot_name"
            }) {
                t.fastly(module, absent, (m, a) -> {
                    throw new HostcallException(FastlyStatus.NONE, absent + ": no TLS or bot data locally");
                });
            }
        }
        String d = "fastly_http_downstream";
        // next_request(options_mask, options, promise_out): options.timeout_ms (u64) when mask bit 1 is set.
        t.fastly(d, "next_request", (m, a) -> {
            Duration wait = DEFAULT_NEXT_REQUEST_WAIT;
            if ((a.i32(0) & 2) != 0 && a.i32(1) != 0) {
                long lo = Integer.toUnsignedLong(m.readI32(a.i32(1)));
                long hi = Integer.toUnsignedLong(m.readI32(a.i32(1) + 4));
                wait = Duration.ofMillis(Math.min((hi << 32) | lo, MAX_NEXT_REQUEST_WAIT.toMillis()));
            }
            m.writeI32(a.i32(2), s.asyncItems.insert(new RequestPromise(wait)));
        });
        // next_request_wait(promise, req_out, body_out): none when no request came in time.
        t.fastly(d, "next_request_wait", (m, a) -> {
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
        t.fastly(d, "next_request_abandon", (m, a) -> {
            s.asyncItems.get(a.i32(0), RequestPromise.class, "request promise");
            s.asyncItems.remove(a.i32(0));
        });
        t.fastly(d, "downstream_bot_analyzed", (m, a) -> m.writeI32(a.i32(1), 0));
        t.fastly(d, "downstream_bot_detected", (m, a) -> m.writeI32(a.i32(1), 0));
        t.fastly(d, "downstream_bot_verified", (m, a) -> m.writeI32(a.i32(1), 0));
        t.fastly(d, "downstream_bot_category_kind", (m, a) -> m.writeI32(a.i32(1), 0));
    }

    private static void address(dev.outpost.edge.abi.GuestMemory m, InetSocketAddress address, int out, int nwritten) {
        if (address == null || address.getAddress() == null) {
            throw new HostcallException(FastlyStatus.NONE, "no address");
        }
        byte[] octets = address.getAddress().getAddress();
        m.write(out, octets);
        m.writeI32(nwritten, octets.length);
    }
}
