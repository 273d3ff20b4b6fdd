package dev.outpost.proxy.route;

import dev.outpost.proxy.config.FileErrors;
import dev.outpost.proxy.config.SigKeys;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses Pushpin's routes syntax: one route per line, {@code CONDITION[,prop...] TARGET[,prop...] [TARGET...]},
 * sections separated by spaces, props by commas, {@code "quoted"} runs anywhere in a token (escapes {@code \\} and
 * {@code \"}), {@code #} outside quotes ending the line. Unlike Pushpin, which skips a bad line and loads the rest,
 * any bad line fails the whole parse so a reload can keep the previous routes.
 */
public final class RoutesParser {

    private static final Set<String> CONDITION_FLAGS = Set.of("debug", "aco", "session", "no_grip", "orig_headers");
    private static final Set<String> TARGET_FLAGS =
            Set.of("ssl", "untrusted", "trust_connect_host", "insecure", "over_http", "one_event");
    private static final Set<String> CONDITION_UNSUPPORTED = Set.of(
            "aco",
            "session",
            "sockjs",
            "sockjs_as_path",
            "orig_headers",
            "jsonp_mode",
            "jsonp_cb",
            "jsonp_body",
            "jsonp_defcb",
            "jsonp_defmethod");
    private static final Set<String> CONDITION_KNOWN = Set.of(
            "proto",
            "ssl",
            "id",
            "path_beg",
            "sig_iss",
            "sig_key",
            "prefix",
            "as_host",
            "path_rem",
            "replace_beg",
            "debug",
            "header",
            "no_grip",
            "log_level");
    private static final Set<String> TARGET_UNSUPPORTED = Set.of("ipc_file_mode", "client_cert", "client_key");
    private static final Set<String> TARGET_KNOWN =
            Set.of("ssl", "untrusted", "trust_connect_host", "insecure", "host", "sub", "over_http", "one_event");

    private RoutesParser() {}

    /** Parses a whole file's text; blank and comment lines are skipped; sources read {@code sourceName:line}. */
    public static List<Route> parse(String text, String sourceName) throws RoutesException {
        List<Route> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            Route r = parseLineOrNull(line, sourceName + ":" + (i + 1));
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    /** Parses lines given one by one (e.g. {@code --route} options); sources read {@code sourceName:n}. */
    public static List<Route> parseLines(List<String> lines, String sourceName) throws RoutesException {
        List<Route> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            out.add(parseLine(lines.get(i), sourceName + ":" + (i + 1)));
        }
        return out;
    }

    /** Reads and parses a routes file (UTF-8). */
    public static List<Route> parseFile(Path file) throws RoutesException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RoutesException(file.toString(), "cannot read", FileErrors.describe(e));
        }
        return parse(content, file.toString());
    }

    /** Parses a routes file's bytes, which must be UTF-8; a pure function of them. */
    public static List<Route> parse(byte[] content, String sourceName) throws RoutesException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RoutesException(sourceName, "not valid UTF-8 text", null);
        }
        return parse(text, sourceName);
    }

    /** Parses one route line; a blank or comment-only line is an error here. */
    public static Route parseLine(String line, String source) throws RoutesException {
        Route r = parseLineOrNull(line == null ? "" : line, source);
        if (r == null) {
            throw new RoutesException(source, "empty route (expected: CONDITION TARGET, e.g. * localhost:8080)", null);
        }
        return r;
    }

    private record Section(String value, List<Map.Entry<String, String>> props, String raw) {
        boolean has(String name) {
            return props.stream().anyMatch(p -> p.getKey().equals(name));
        }

        /** The last value given, as Pushpin uses it. */
        String last(String name) {
            String v = null;
            for (Map.Entry<String, String> p : props) {
                if (p.getKey().equals(name)) {
                    v = p.getValue();
                }
            }
            return v;
        }

        List<String> all(String name) {
            return props.stream()
                    .filter(p -> p.getKey().equals(name))
                    .map(Map.Entry::getValue)
                    .toList();
        }

        String prop(String name) {
            String v = last(name);
            return v.isEmpty() ? name : name + "=" + v;
        }
    }

    private static Route parseLineOrNull(String line, String source) throws RoutesException {
        List<Section> sections = tokenize(line, source);
        if (sections.isEmpty()) {
            return null;
        }
        if (sections.size() < 2) {
            throw new RoutesException(source, "must specify condition and at least one target", line.strip());
        }
        Section c = sections.getFirst();
        List<String> notes = new ArrayList<>();

        boolean hostless = c.value().isEmpty();
        String domain = hostless || c.value().equals("*") ? null : c.value();
        if (domain != null && domain.indexOf('*') >= 0) {
            notes.add("host " + domain + " is matched literally (only * alone is a wildcard)");
        } else if (domain != null && domain.indexOf(':') >= 0) {
            notes.add("host " + domain + " never matches: hosts are matched without their port");
        }

        Proto proto = null;
        if (c.has("proto")) {
            proto = switch (c.last("proto")) {
                case "http" -> Proto.HTTP;
                case "ws" -> Proto.WS;
                default -> throw new RoutesException(source, "proto must be http or ws", c.prop("proto"));
            };
        }
        Boolean ssl = null;
        if (c.has("ssl")) {
            ssl = switch (c.last("ssl")) {
                case "yes" -> true;
                case "no" -> false;
                default -> throw new RoutesException(source, "ssl must be yes or no", c.prop("ssl"));
            };
        }
        String id = c.has("id") && !c.last("id").isEmpty() ? c.last("id") : null;
        String pathBeg = null;
        if (c.has("path_beg")) {
            pathBeg = c.last("path_beg");
            if (pathBeg.isEmpty()) {
                throw new RoutesException(source, "path_beg cannot be empty", "path_beg=");
            }
        }
        String sigIss = c.has("sig_iss") ? c.last("sig_iss") : null;
        byte[] sigKey = null;
        if (c.has("sig_key")) {
            try {
                sigKey = SigKeys.parse(c.last("sig_key"));
            } catch (IllegalArgumentException e) {
                throw new RoutesException(source, "bad sig_key, " + e.getMessage(), c.prop("sig_key"));
            }
        }
        String prefix = c.has("prefix") ? c.last("prefix") : "";
        String asHost = c.has("as_host") && !c.last("as_host").isEmpty() ? c.last("as_host") : null;
        int pathRem = 0;
        if (c.has("path_rem")) {
            pathRem = nonNegative(c.last("path_rem"), source, "path_rem must be an integer >= 0", c.prop("path_rem"));
        }
        String replaceBeg = c.has("replace_beg") ? c.last("replace_beg") : null;
        int logLevel = -1;
        if (c.has("log_level")) {
            logLevel =
                    nonNegative(c.last("log_level"), source, "log_level must be an integer >= 0", c.prop("log_level"));
        }
        if (c.has("jsonp_mode") && !Set.of("basic", "extended").contains(c.last("jsonp_mode"))) {
            throw new RoutesException(source, "jsonp_mode must be basic or extended", c.prop("jsonp_mode"));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String h : c.all("header")) {
            int colon = h.indexOf(':');
            if (colon < 1) {
                throw new RoutesException(source, "header must use the format Name:Value", "header=" + h);
            }
            String name = h.substring(0, colon);
            String value = h.substring(colon + 1).replaceFirst("^ +", "");
            // Pushpin applies header= props last to first, each replacing the name: the first one given wins
            if (headers.stream().anyMatch(e -> e.getKey().equalsIgnoreCase(name))) {
                notes.add("header " + name + " is given more than once: the first value is used");
                continue;
            }
            headers.add(Map.entry(name, value));
        }
        noteProps(c, CONDITION_KNOWN, CONDITION_UNSUPPORTED, CONDITION_FLAGS, "", notes);
        if (hostless) {
            notes.add("the condition names no host: the route is reachable only through Pushpin-Route");
        }

        List<Target> targets = new ArrayList<>();
        for (int n = 1; n < sections.size(); n++) {
            targets.add(target(sections.get(n), source, n, notes));
        }

        return new Route(
                id,
                domain,
                pathBeg,
                proto,
                ssl,
                replaceBeg,
                prefix,
                sigKey,
                sigIss,
                c.has("no_grip"),
                headers,
                targets,
                source,
                hostless,
                asHost,
                pathRem,
                c.has("debug"),
                c.has("aco"),
                c.has("session"),
                c.has("orig_headers"),
                logLevel,
                notes);
    }

    private static Target target(Section t, String source, int n, List<String> notes) throws RoutesException {
        String v = t.value();
        Target.Kind kind;
        String host = null;
        int port = 0;
        if (v.equals("test")) {
            kind = Target.Kind.TEST;
        } else if (v.startsWith("zhttp/") || v.startsWith("zhttpreq/")) {
            throw new RoutesException(source, "ZeroMQ (zhttp) targets are not supported", v);
        } else {
            kind = Target.Kind.HOST;
            String portStr;
            if (v.startsWith("[")) {
                int close = v.indexOf(']');
                if (close < 0 || close + 1 >= v.length() || v.charAt(close + 1) != ':') {
                    throw new RoutesException(source, "target must be host:port, [ipv6]:port or test", t.raw());
                }
                host = v.substring(1, close);
                portStr = v.substring(close + 2);
            } else {
                int colon = v.indexOf(':');
                if (colon < 0) {
                    throw new RoutesException(source, "target must be host:port, [ipv6]:port or test", t.raw());
                }
                if (v.indexOf(':', colon + 1) >= 0) {
                    throw new RoutesException(source, "an IPv6 target needs brackets: [addr]:port", t.raw());
                }
                host = v.substring(0, colon);
                portStr = v.substring(colon + 1);
            }
            if (host.isEmpty()) {
                throw new RoutesException(source, "target host is empty", t.raw());
            }
            if (!portStr.matches("[0-9]{1,5}") || Integer.parseInt(portStr) < 1 || Integer.parseInt(portStr) > 65535) {
                throw new RoutesException(source, "target port must be 1-65535", t.raw());
            }
            port = Integer.parseInt(portStr);
        }
        String hostHeader = t.has("host") && !t.last("host").isEmpty() ? t.last("host") : null;
        List<String> subs = t.all("sub").stream().filter(s -> !s.isEmpty()).toList();
        noteProps(t, TARGET_KNOWN, TARGET_UNSUPPORTED, TARGET_FLAGS, "target " + n + " (" + v + "): ", notes);
        return new Target(
                kind,
                host,
                port,
                t.has("over_http"),
                t.has("ssl"),
                hostHeader,
                t.has("insecure"),
                subs,
                t.has("untrusted"),
                t.has("trust_connect_host"),
                t.has("one_event"));
    }

    private static void noteProps(
            Section s,
            Set<String> known,
            Set<String> unsupported,
            Set<String> flags,
            String where,
            List<String> notes) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, String> p : s.props()) {
            String name = p.getKey();
            if (!seen.add(name)) {
                continue;
            }
            if (unsupported.contains(name)) {
                notes.add(where + name + " is not supported, ignored");
            } else if (!known.contains(name)) {
                notes.add(where + "unknown prop " + name + ", ignored");
            } else if (flags.contains(name) && !s.last(name).isEmpty()) {
                notes.add(where + name + " is a flag: its value (" + s.last(name) + ") is ignored, the flag is on");
            }
        }
    }

    private static int nonNegative(String v, String source, String reason, String token) throws RoutesException {
        if (!v.matches("[0-9]{1,9}")) {
            throw new RoutesException(source, reason, token);
        }
        return Integer.parseInt(v);
    }

    // ---- tokenizer ----

    private static boolean isSpace(char ch) {
        return ch == ' ' || ch == '\t';
    }

    /** Splits a line into sections: an initial value plus props each, in line order. */
    private static List<Section> tokenize(String line, String source) throws RoutesException {
        List<Section> out = new ArrayList<>();
        int[] pos = {0};
        int len = line.length();
        while (true) {
            while (pos[0] < len && isSpace(line.charAt(pos[0]))) {
                pos[0]++;
            }
            if (pos[0] >= len || line.charAt(pos[0]) == '#') {
                return out;
            }
            int start = pos[0];
            String first = readPart(line, pos, source);
            String value;
            List<Map.Entry<String, String>> props = new ArrayList<>();
            // a first part with '=' is a prop: the section's value is then empty
            if (first.indexOf('=') >= 0) {
                value = "";
                props.add(prop(first, line, start, pos[0], source));
            } else {
                value = first;
            }
            while (pos[0] < len && line.charAt(pos[0]) == ',') {
                pos[0]++;
                String part = readPart(line, pos, source);
                if (part.isEmpty()) {
                    throw new RoutesException(source, "expecting a prop after ','", line.substring(start, pos[0]));
                }
                props.add(prop(part, line, start, pos[0], source));
            }
            out.add(new Section(value, props, line.substring(start, pos[0])));
        }
    }

    private static Map.Entry<String, String> prop(String part, String line, int start, int end, String source)
            throws RoutesException {
        int eq = part.indexOf('=');
        String name = eq < 0 ? part : part.substring(0, eq);
        String value = eq < 0 ? "" : part.substring(eq + 1);
        if (name.isEmpty()) {
            throw new RoutesException(source, "empty prop name", line.substring(start, end));
        }
        return new LinkedHashMap.SimpleImmutableEntry<>(name, value);
    }

    /** Reads up to an unquoted space, comma, '#' or the end; quoted runs are unescaped. */
    private static String readPart(String line, int[] pos, String source) throws RoutesException {
        StringBuilder sb = new StringBuilder();
        int i = pos[0];
        int len = line.length();
        while (i < len) {
            char ch = line.charAt(i);
            if (isSpace(ch) || ch == ',' || ch == '#') {
                break;
            }
            if (ch != '"') {
                sb.append(ch);
                i++;
                continue;
            }
            int quoteStart = i;
            i++;
            boolean closed = false;
            while (i < len) {
                char q = line.charAt(i);
                if (q == '\\') {
                    if (i + 1 >= len) {
                        break;
                    }
                    char e = line.charAt(i + 1);
                    if (e != '\\' && e != '"') {
                        throw new RoutesException(
                                source,
                                "bad escape in quoted value (only \\\\ and \\\" are allowed)",
                                line.substring(quoteStart, Math.min(len, i + 2)));
                    }
                    sb.append(e);
                    i += 2;
                } else if (q == '"') {
                    closed = true;
                    i++;
                    break;
                } else {
                    sb.append(q);
                    i++;
                }
            }
            if (!closed) {
                throw new RoutesException(source, "unterminated quoted value", line.substring(quoteStart));
            }
        }
        pos[0] = i;
        return sb.toString();
    }
}
