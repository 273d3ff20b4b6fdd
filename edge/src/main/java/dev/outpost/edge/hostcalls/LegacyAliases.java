package dev.outpost.edge.hostcalls;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The pre-witx names of the oldest hostcalls ({@code env.xqd_*}), which old Rust SDK builds ({@code fastly-sys} before
 * 0.4) import; each is the same function as its {@code fastly_*} name, and Viceroy links both.
 */
public final class LegacyAliases {
    private static final Map<String, String> ALIASES = build();

    private LegacyAliases() {}

    /** {@code env.xqd_*} to the {@code module.name} it stands for. */
    public static Map<String, String> all() {
        return ALIASES;
    }

    private static Map<String, String> build() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("xqd_init", "fastly_abi.init");
        String body = "fastly_http_body.";
        for (String f : new String[] {"append", "new", "read", "write", "close"}) {
            a.put("xqd_body_" + f, body + f);
        }
        // Renamed to xqd_body_close in fastly-sys 0.3.4; both names stay.
        a.put("xqd_body_close_downstream", body + "close");
        a.put("xqd_log_endpoint_get", "fastly_log.endpoint_get");
        a.put("xqd_log_write", "fastly_log.write");
        String req = "fastly_http_req.";
        for (String f : new String[] {
            "body_downstream_get",
            "cache_override_set",
            "downstream_client_ip_addr",
            "downstream_client_request_id",
            "downstream_tls_cipher_openssl_name",
            "downstream_tls_protocol",
            "downstream_tls_client_hello",
            "new",
            "header_names_get",
            "original_header_names_get",
            "original_header_count",
            "header_value_get",
            "header_values_get",
            "header_values_set",
            "header_insert",
            "header_append",
            "header_remove",
            "method_get",
            "method_set",
            "uri_get",
            "uri_set",
            "version_get",
            "version_set",
            "send",
            "send_async",
            "send_async_streaming"
        }) {
            a.put("xqd_req_" + f, req + f);
        }
        for (String f : new String[] {"poll", "wait", "select"}) {
            a.put("xqd_pending_req_" + f, req + "pending_req_" + f);
        }
        String resp = "fastly_http_resp.";
        for (String f : new String[] {
            "new",
            "header_names_get",
            "header_value_get",
            "header_values_get",
            "header_values_set",
            "header_insert",
            "header_append",
            "header_remove",
            "version_get",
            "version_set",
            "status_get",
            "status_set"
        }) {
            a.put("xqd_resp_" + f, resp + f);
        }
        Map<String, String> qualified = new LinkedHashMap<>();
        a.forEach((alias, target) -> qualified.put("env." + alias, target));
        return Collections.unmodifiableMap(qualified);
    }
}
