package dev.outpost.grip.instruct;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pushpin's header value syntax: a comma list of elements, each {@code value; key=val; key="quoted \" val"}.
 * Commas inside double quotes do not split.
 */
public final class HeaderParams {
    private HeaderParams() {}

    /** One parameter; {@code value} is empty when the parameter had no {@code =}. */
    public record Param(String key, String value) {}

    /** One list element: its first token and the {@code key=value} parameters after it. */
    public record Element(String value, List<Param> params) {
        public Element {
            params = List.copyOf(params);
        }

        /** The value of the first parameter named {@code key} (case-insensitive), or {@code null}. */
        public String get(String key) {
            for (Param p : params) {
                if (p.key().equalsIgnoreCase(key)) {
                    return p.value();
                }
            }
            return null;
        }

        public boolean has(String key) {
            return get(key) != null;
        }

        /** All values of parameters named {@code key}, in order. */
        public List<String> getAll(String key) {
            List<String> out = new ArrayList<>();
            for (Param p : params) {
                if (p.key().equalsIgnoreCase(key)) {
                    out.add(p.value());
                }
            }
            return out;
        }
    }

    /** Thrown for an unterminated quote or a dangling backslash. */
    public static final class SyntaxException extends Exception {
        private static final long serialVersionUID = 1L;

        public SyntaxException(String message) {
            super(message);
        }
    }

    /**
     * Splits a header value at commas outside quotes. Elements are trimmed; empty elements are kept so callers
     * can decide about them.
     */
    public static List<String> split(String in) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        boolean inQuote = false;
        for (int n = 0; n < in.length(); n++) {
            char c = in.charAt(n);
            if (inQuote) {
                if (c == '\\') {
                    n++;
                } else if (c == '"') {
                    inQuote = false;
                }
            } else if (c == '"') {
                inQuote = true;
            } else if (c == ',') {
                parts.add(in.substring(start, n).trim());
                start = n + 1;
            }
        }
        if (start < in.length()) {
            parts.add(in.substring(start).trim());
        }
        return parts;
    }

    /**
     * Parses one element. With {@code firstIsValue} the text before the first {@code ;} is the element value
     * taken verbatim (it may contain {@code =}); otherwise every segment, the first included, is a parameter
     * and the element value is empty.
     */
    public static List<Param> parseParams(String in, boolean firstIsValue) throws SyntaxException {
        List<Param> out = new ArrayList<>();
        int start = 0;
        if (firstIsValue) {
            int at = in.indexOf(';');
            if (at >= 0) {
                out.add(new Param(in.substring(0, at).trim(), ""));
                start = at + 1;
            } else {
                out.add(new Param(in.trim(), ""));
                start = in.length();
            }
        }
        while (start < in.length()) {
            int at = nextOf(in, start);
            if (at < 0) {
                out.add(new Param(in.substring(start).trim(), ""));
                break;
            }
            String key = in.substring(start, at).trim();
            if (in.charAt(at) == ';') {
                out.add(new Param(key, ""));
                start = at + 1;
                continue;
            }
            int v = at + 1;
            if (v < in.length() && in.charAt(v) == '"') {
                StringBuilder val = new StringBuilder();
                int end = -1;
                for (int n = v + 1; n < in.length(); n++) {
                    char c = in.charAt(n);
                    if (c == '\\') {
                        if (n + 1 >= in.length()) {
                            throw new SyntaxException("backslash at end of quoted value");
                        }
                        val.append(in.charAt(++n));
                    } else if (c == '"') {
                        end = n + 1;
                        break;
                    } else {
                        val.append(c);
                    }
                }
                if (end < 0) {
                    throw new SyntaxException("unterminated quoted value");
                }
                out.add(new Param(key, val.toString()));
                int semi = in.indexOf(';', end);
                start = semi >= 0 ? semi + 1 : in.length();
            } else {
                int semi = in.indexOf(';', v);
                String val = semi >= 0 ? in.substring(v, semi) : in.substring(v);
                out.add(new Param(key, val.trim()));
                start = semi >= 0 ? semi + 1 : in.length();
            }
        }
        return out;
    }

    /** Parses an element whose first token is its value: {@code value; k=v; ...}. */
    public static Element parseElement(String in) throws SyntaxException {
        List<Param> all = parseParams(in, true);
        return new Element(all.get(0).key(), all.subList(1, all.size()));
    }

    /** All values of header {@code name} (case-insensitive) in wire order, each split at commas. */
    public static List<String> values(List<Map.Entry<String, String>> headers, String name, boolean split) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                if (split) {
                    out.addAll(split(h.getValue()));
                } else {
                    out.add(h.getValue());
                }
            }
        }
        return out;
    }

    /** The first value of header {@code name} (case-insensitive), or {@code null}. */
    public static String first(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    private static int nextOf(String in, int from) {
        for (int n = from; n < in.length(); n++) {
            char c = in.charAt(n);
            if (c == '=' || c == ';') {
                return n;
            }
        }
        return -1;
    }
}
