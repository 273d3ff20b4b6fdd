package dev.outpost.proxy.config;

import dev.outpost.proxy.publish.PublishAuth;
import dev.outpost.proxy.server.TlsListeners;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads Pushpin's {@code pushpin.conf} into a {@link ProxyConfig.Builder} (defaults for everything the file does not
 * set). Values are checked more strictly than Pushpin does: where Pushpin would silently read a bad number as 0, this
 * throws a {@link ConfigException} naming file, line, key, value and the expectation.
 */
public final class PushpinConf {

    /** Keys Pushpin reads that have no meaning here (ZeroMQ wiring, process management, stats sockets...). */
    private static final Set<String> KNOWN_IGNORED = Set.of(
            "global/include",
            "global/rundir",
            "global/libdir",
            "global/ipc_prefix",
            "global/port_offset",
            "global/stats_connection_ttl",
            "global/stats_connection_send",
            "runner/rundir",
            "runner/services",
            "runner/local_ports",
            "runner/logdir",
            "runner/client_buffer_size",
            "runner/allow_compression",
            "runner/condure_bin",
            "runner/connmgr_bin",
            "runner/mongrel2_bin",
            "runner/m2sh_bin",
            "runner/zurl_bin",
            "runner/m2adapter_bin",
            "runner/proxy_bin",
            "runner/handler_bin",
            "proxy/auto_cross_origin",
            "proxy/orig_headers_need_mark",
            "proxy/log_from",
            "proxy/log_user_agent",
            "proxy/sockjs_url",
            "proxy/updates_check",
            "proxy/organization_name",
            "proxy/workers",
            "proxy/max_open_requests",
            "proxy/prometheus_port",
            "proxy/prometheus_prefix",
            "proxy/stats_report_interval",
            "proxy/stats_connections_max_ttl",
            "proxy/ipc_file_mode",
            "proxy/stats_spec",
            "proxy/command_spec",
            "proxy/condure_in_specs",
            "proxy/condure_in_stream_specs",
            "proxy/condure_out_specs",
            "proxy/condure_client_in_specs",
            "proxy/condure_client_out_specs",
            "proxy/condure_client_out_stream_specs",
            "proxy/connmgr_in_specs",
            "proxy/connmgr_in_stream_specs",
            "proxy/connmgr_out_specs",
            "proxy/connmgr_client_in_specs",
            "proxy/connmgr_client_out_specs",
            "proxy/connmgr_client_out_stream_specs",
            "proxy/m2a_in_specs",
            "proxy/m2a_in_stream_specs",
            "proxy/m2a_out_specs",
            "proxy/zurl_out_specs",
            "proxy/zurl_out_stream_specs",
            "proxy/zurl_in_specs",
            "proxy/handler_inspect_spec",
            "proxy/handler_accept_spec",
            "proxy/handler_retry_in_spec",
            "proxy/handler_ws_control_in_spec",
            "proxy/handler_ws_control_out_spec",
            "proxy/handler_ws_control_init_specs",
            "proxy/handler_ws_control_stream_specs",
            "proxy/intreq_in_specs",
            "proxy/intreq_in_stream_specs",
            "proxy/intreq_out_specs",
            "handler/ipc_file_mode",
            "handler/push_in_spec",
            "handler/push_in_sub_specs",
            "handler/push_in_sub_spec",
            "handler/push_in_sub_connect",
            "handler/push_in_http_max_headers_size",
            "handler/push_in_max_headers_size",
            "handler/stats_spec",
            "handler/command_spec",
            "handler/state_spec",
            "handler/message_block_size",
            "handler/stats_subscription_ttl",
            "handler/stats_report_interval",
            "handler/stats_format",
            "handler/prometheus_port",
            "handler/prometheus_prefix",
            "handler/share_all",
            "handler/m2a_in_stream_specs",
            "handler/m2a_out_specs",
            "handler/proxy_inspect_spec",
            "handler/proxy_inspect_specs",
            "handler/proxy_accept_spec",
            "handler/proxy_accept_specs",
            "handler/proxy_retry_out_spec",
            "handler/proxy_retry_out_specs",
            "handler/proxy_ws_control_in_spec",
            "handler/proxy_ws_control_out_spec",
            "handler/proxy_ws_control_init_specs",
            "handler/proxy_ws_control_stream_specs",
            "handler/proxy_stats_spec",
            "handler/proxy_stats_specs",
            "handler/proxy_command_spec",
            "handler/proxy_intreq_in_specs",
            "handler/proxy_intreq_out_specs",
            "handler/proxy_intreq_out_stream_specs",
            "handler/condure_in_stream_specs",
            "handler/condure_out_specs");

    private static final String DEFAULT_LIBDIR = "/usr/lib/pushpin";

    private PushpinConf() {}

    /** Reads {@code file}; unknown keys are reported through {@code warn}, one line each. */
    public static ProxyConfig.Builder load(Path file, Consumer<String> warn) throws ConfigException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + FileErrors.describe(e) + ")", e);
        }
        return parse(content, file, warn);
    }

    /** Like {@link #load} for the file's bytes: a pure function of them ({@code file} only names and anchors). */
    public static ProxyConfig.Builder parse(byte[] content, Path file, Consumer<String> warn) throws ConfigException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file + ": not valid UTF-8 text (expected: a pushpin.conf INI file)");
        }
        return parse(text, file, warn);
    }

    /** Like {@link #load} for text already read; {@code file} names it in messages and anchors relative paths. */
    public static ProxyConfig.Builder parse(String text, Path file, Consumer<String> warn) throws ConfigException {
        Consumer<String> w = warn == null ? s -> {} : warn;
        IniFile ini = IniFile.parse(text);
        for (IniFile.Junk j : ini.junk()) {
            w.accept(file + ":" + j.line() + ": not a key=value line, ignored: " + j.text());
        }
        // later lines override earlier ones, as with QSettings
        Map<String, IniFile.Entry> byKey = new LinkedHashMap<>();
        for (IniFile.Entry e : ini.entries()) {
            String k = e.section() + "/" + e.key();
            byKey.remove(k);
            byKey.put(k, e);
        }
        Reader r = new Reader(file, byKey);

        ProxyConfig.Builder b = ProxyConfig.builder();
        Map<String, String> settings = new LinkedHashMap<>();
        byKey.forEach((k, e) -> settings.put(k, r.resolve(e.value())));
        b.settings(settings);

        for (IniFile.Entry e : byKey.values()) {
            String k = e.section() + "/" + e.key();
            switch (k) {
                case "runner/http_port" -> r.httpPort(e, b, w);
                case "runner/https_ports" -> r.httpsPorts(e);
                case "runner/certs_dir" ->
                    b.setting("runner/certs_dir", r.path(e).toString());
                case "runner/client_maxconn" -> b.clientMaxConn(r.integer(e, 1, Integer.MAX_VALUE));
                case "runner/log_level" -> r.logLevel(e, b);
                case "proxy/routesfile" -> b.routesFile(r.routesFile(e));
                case "proxy/debug" -> b.debug(r.bool(e));
                case "proxy/accept_pushpin_route" -> b.acceptPushpinRoute(r.bool(e));
                case "proxy/sig_iss" -> b.sigIss(r.single(e));
                case "proxy/sig_key" -> b.sigKey(r.sigKey(e));
                // read where used (UpstreamKey), checked here
                case "proxy/upstream_key" -> r.sigKey(e);
                // read where used (Forwarding), checked here
                case Forwarding.ACCEPT -> r.bool(e);
                case Forwarding.SET -> r.checked(e, false, Forwarding::parseSetProto);
                case Forwarding.XFF, Forwarding.XFF_TRUSTED -> r.checked(e, true, Forwarding::parseXff);
                case Forwarding.CDN_LOOP -> r.checked(e, false, Forwarding::parseCdnLoop);
                case "handler/push_in_http_addr" -> b.publishHost(r.host(e));
                case "handler/push_in_http_port" -> b.publishPort(r.publishPort(e));
                // the example configuration names it push_in_http_max_body_size; Pushpin 1.36 reads
                // push_in_max_body_size
                case "handler/push_in_http_max_body_size", "handler/push_in_max_body_size" ->
                    b.publishMaxBodySize(r.integer(e, 1, Integer.MAX_VALUE));
                // Outpost's: optional publish authentication (docs/security.md); read where used
                case "handler/push_in_http_auth_key",
                        "handler/push_in_http_auth_iss",
                        "handler/push_in_http_auth_basic" -> r.checked(e, "handler/" + e.key());
                case "handler/message_rate" -> b.messageRate(r.integer(e, -1, Integer.MAX_VALUE));
                case "handler/message_hwm" -> b.messageHwm(r.integer(e, -1, Integer.MAX_VALUE));
                case "handler/message_wait" -> b.messageWaitMs(r.integer(e, 0, Integer.MAX_VALUE));
                case "handler/id_cache_ttl" -> b.idCacheTtlSeconds(r.integer(e, 0, Integer.MAX_VALUE));
                case "handler/connection_subscription_max" ->
                    b.connectionSubscriptionMax(r.integer(e, 0, Integer.MAX_VALUE));
                case "handler/update_on_first_subscription" -> b.updateOnFirstSubscription(r.bool(e));
                // read from the settings where they are used (the bus module); checked here
                case "handler/subscription_linger" -> r.integer(e, 0, 999_999_999);
                case "handler/bus_queue_max" -> r.integer(e, 1, Integer.MAX_VALUE);
                case "handler/bus_timeout" -> r.integer(e, 100, 600_000);
                case "handler/bus" -> {
                    if (e.isList()) {
                        throw r.bad(e, "one redis:// or rediss:// URI");
                    }
                }
                default -> {
                    if (e.section().equals(ProxyLimits.SECTION)) {
                        r.outpostKey(e, w);
                    } else if (!KNOWN_IGNORED.contains(k)) {
                        w.accept(file + ": [" + e.section() + "] " + e.key() + ": unknown key, ignored");
                    } else {
                        r.noteUnsupported(e, w);
                    }
                }
            }
        }
        if (!byKey.containsKey("runner/certs_dir")) {
            // Pushpin's connection manager reads its certificates from runner/certs next to the file
            Path dir = file.toAbsolutePath().getParent();
            b.setting(
                    "runner/certs_dir",
                    (dir == null ? Path.of("runner", "certs") : dir.resolve("runner/certs")).toString());
        }
        return b;
    }

    /** Value conversions with error messages naming file, line, key and value. */
    /**
     * A boolean of pushpin.conf: {@code true}, {@code yes}, {@code on}, {@code 1} or {@code false}, {@code no},
     * {@code off}, {@code 0}, empty (any case, spaces around ignored).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static boolean parseBool(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "", "false", "no", "off", "0" -> false;
            case "true", "yes", "on", "1" -> true;
            default -> throw new IllegalArgumentException("expected: true or false");
        };
    }

    private static final class Reader {
        private final Path file;
        private final String libdir;
        private final String rundir;
        private final String ipcPrefix;
        private final Map<String, IniFile.Entry> all;

        Reader(Path file, Map<String, IniFile.Entry> all) {
            this.file = file;
            this.all = all;
            this.libdir = raw("global/libdir", DEFAULT_LIBDIR);
            this.rundir = raw("global/rundir", raw("runner/rundir", ""));
            this.ipcPrefix = raw("global/ipc_prefix", "pushpin-");
        }

        private String raw(String key, String def) {
            IniFile.Entry e = all.get(key);
            return e == null || e.value().isEmpty() ? def : e.value();
        }

        String resolve(String v) {
            return v.replace("{libdir}", libdir).replace("{rundir}", rundir).replace("{ipc_prefix}", ipcPrefix);
        }

        ConfigException bad(IniFile.Entry e, String expected) {
            return new ConfigException(file + ":" + e.line() + ": [" + e.section() + "] " + e.key() + ": "
                    + (e.value().isEmpty() ? "(empty)" : e.value()) + " (expected: " + expected + ")");
        }

        String single(IniFile.Entry e) {
            return resolve(e.value());
        }

        int integer(IniFile.Entry e, int min, int max) throws ConfigException {
            String expected = max == Integer.MAX_VALUE ? "integer >= " + min : "integer " + min + "-" + max;
            if (e.isList()) {
                throw bad(e, expected);
            }
            return parseInt(e, e.value(), min, max, expected);
        }

        int parseInt(IniFile.Entry e, String s, int min, int max, String expected) throws ConfigException {
            String t = s.strip();
            if (!t.matches("[+-]?[0-9]{1,10}")) {
                throw bad(e, expected);
            }
            long v = Long.parseLong(t);
            if (v < min || v > max) {
                throw bad(e, expected);
            }
            return (int) v;
        }

        boolean bool(IniFile.Entry e) throws ConfigException {
            try {
                return parseBool(e.isList() ? "?" : e.value());
            } catch (IllegalArgumentException x) {
                throw bad(e, "true or false");
            }
        }

        void httpPort(IniFile.Entry e, ProxyConfig.Builder b, Consumer<String> w) throws ConfigException {
            List<String> ports = e.values().stream().filter(s -> !s.isBlank()).toList();
            if (ports.isEmpty()) {
                return;
            }
            String first = ports.getFirst().strip();
            String expected = "port 0-65535, or addr:port";
            String host = null;
            String port = first;
            if (first.startsWith("[")) {
                int close = first.indexOf(']');
                if (close < 0 || close + 1 >= first.length() || first.charAt(close + 1) != ':') {
                    throw bad(e, expected + " with an IPv6 address in brackets");
                }
                host = first.substring(1, close);
                port = first.substring(close + 2);
            } else if (first.indexOf(':') >= 0) {
                int colon = first.lastIndexOf(':');
                if (first.indexOf(':') != colon) {
                    throw bad(e, expected + " with an IPv6 address in brackets");
                }
                host = first.substring(0, colon);
                port = first.substring(colon + 1);
            }
            b.httpPort(parseInt(e, port, 0, 65535, expected));
            if (host != null && !host.isEmpty()) {
                b.httpHost(host.equals("*") ? "0.0.0.0" : host);
            }
            if (ports.size() > 1) {
                w.accept(file + ": [runner] http_port: only the first entry (" + first + ") is used, ignored: "
                        + String.join(",", ports.subList(1, ports.size())));
            }
        }

        void logLevel(IniFile.Entry e, ProxyConfig.Builder b) throws ConfigException {
            String expected = "integer >= 0, or a list of N and name:N";
            for (String part : e.values()) {
                String p = part.strip();
                int colon = p.indexOf(':');
                if (colon < 0) {
                    b.logLevel(parseInt(e, p, 0, Integer.MAX_VALUE, expected));
                } else {
                    if (colon == 0) {
                        throw bad(e, expected);
                    }
                    // per-service levels have no equivalent in a single process
                    parseInt(e, p.substring(colon + 1), 0, Integer.MAX_VALUE, expected);
                }
            }
        }

        Path routesFile(IniFile.Entry e) throws ConfigException {
            String v = resolve(e.value()).strip();
            if (e.isList()) {
                throw bad(e, "one file path");
            }
            if (v.isEmpty()) {
                return null;
            }
            try {
                Path p = Path.of(v);
                if (p.isAbsolute()) {
                    return p;
                }
                Path dir = file.toAbsolutePath().getParent();
                return dir == null ? p : dir.resolve(p).normalize();
            } catch (InvalidPathException ex) {
                throw bad(e, "a file path");
            }
        }

        byte[] sigKey(IniFile.Entry e) throws ConfigException {
            try {
                // a comma is part of the secret, not a list separator
                return SigKeys.parse(e.value());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file + ":" + e.line() + ": [" + e.section() + "] " + e.key() + ": "
                        + e.value() + " (" + ex.getMessage() + ")");
            }
        }

        String host(IniFile.Entry e) throws ConfigException {
            String v = resolve(e.value()).strip();
            if (e.isList() || v.isEmpty() || v.chars().anyMatch(Character::isWhitespace)) {
                throw bad(e, "an IP address or host name");
            }
            if (v.startsWith("[") && v.endsWith("]")) {
                v = v.substring(1, v.length() - 1);
            }
            return v.equals("*") ? "0.0.0.0" : v;
        }

        int publishPort(IniFile.Entry e) throws ConfigException {
            int port = integer(e, 0, 65535);
            IniFile.Entry off = all.get("global/port_offset");
            if (port > 0 && off != null && !off.value().isBlank()) {
                int offset = integer(off, 0, 65535);
                port += offset;
                if (port > 65535) {
                    throw bad(e, "port 0-65535 after adding global port_offset " + offset);
                }
            }
            return port;
        }

        void httpsPorts(IniFile.Entry e) throws ConfigException {
            for (String v : e.values()) {
                if (!v.isBlank()) {
                    try {
                        TlsListeners.parse(v.strip(), "127.0.0.1");
                    } catch (IllegalArgumentException ex) {
                        throw bad(e, "a comma list of PORT or ADDR:PORT; " + ex.getMessage());
                    }
                }
            }
        }

        /** A path, relative to the file's directory unless absolute. */
        Path path(IniFile.Entry e) throws ConfigException {
            String v = resolve(e.value()).strip();
            if (e.isList() || v.isEmpty()) {
                throw bad(e, "one directory path");
            }
            try {
                Path p = Path.of(v);
                Path dir = file.toAbsolutePath().getParent();
                return p.isAbsolute() || dir == null ? p : dir.resolve(p).normalize();
            } catch (InvalidPathException ex) {
                throw bad(e, "a directory path");
            }
        }

        /** A value checked by the part that reads it; its message never holds the value (it may be a secret). */
        void checked(IniFile.Entry e, String key) throws ConfigException {
            // a comma is part of a secret, not a list separator (as for sig_key)
            try {
                PublishAuth.check(key, resolve(e.value()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(file + ":" + e.line() + ": " + ex.getMessage());
            }
        }

        /** A value {@code parse} reads where it is used; a list only when {@code list}. */
        void checked(IniFile.Entry e, boolean list, Function<String, ?> parse) throws ConfigException {
            if (e.isList() && !list) {
                throw bad(e, "one value");
            }
            try {
                var unused = parse.apply(resolve(e.value()));
            } catch (IllegalArgumentException ex) {
                throw bad(e, ex.getMessage().replaceFirst("^expected: ", ""));
            }
        }

        /** A key of the {@code [outpost]} section: checked here, read later from the settings. */
        void outpostKey(IniFile.Entry e, Consumer<String> w) throws ConfigException {
            ProxyLimits.Key key = ProxyLimits.Key.named(e.key());
            if (key == null) {
                w.accept(file + ": [" + e.section() + "] " + e.key() + ": unknown key, ignored (known: "
                        + String.join(", ", ProxyLimits.keyNames()) + ")");
                return;
            }
            if (e.isList()) {
                throw bad(e, "one value");
            }
            if (e.value().isBlank()) {
                return;
            }
            try {
                key.parse(resolve(e.value()));
            } catch (IllegalArgumentException ex) {
                throw bad(e, ex.getMessage());
            }
        }

        void noteUnsupported(IniFile.Entry e, Consumer<String> w) {
            String k = e.section() + "/" + e.key();
            boolean set = !e.value().isBlank();
            boolean on = set
                    && Set.of("true", "yes", "on", "1")
                            .contains(e.value().strip().toLowerCase(Locale.ROOT));
            boolean note = switch (k) {
                case "runner/local_ports" -> set;
                case "proxy/auto_cross_origin" -> on;
                default -> false;
            };
            if (note) {
                w.accept(file + ": [" + e.section() + "] " + e.key() + ": not supported, ignored");
            }
        }
    }
}
