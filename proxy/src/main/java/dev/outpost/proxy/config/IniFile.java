package dev.outpost.proxy.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The INI dialect Pushpin's configuration is read with (Qt's QSettings): {@code [section]} headers, {@code key=value},
 * full-line {@code ;} and {@code #} comments, {@code ;} starting a comment anywhere outside quotes, double-quoted
 * values, and unquoted commas making a value a list. Keys before any section belong to section {@code General}.
 */
public final class IniFile {

    /**
     * One {@code key=value} line: {@code value} unquoted as a whole, {@code values} split on unquoted commas (one item
     * when there is none).
     */
    public record Entry(String section, String key, String value, List<String> values, int line) {
        public Entry {
            values = List.copyOf(values);
        }

        public boolean isList() {
            return values.size() > 1;
        }
    }

    /** A line that is neither a section, a comment, nor {@code key=value}. */
    public record Junk(String text, int line) {}

    private final List<Entry> entries;
    private final List<Junk> junk;

    private IniFile(List<Entry> entries, List<Junk> junk) {
        this.entries = List.copyOf(entries);
        this.junk = List.copyOf(junk);
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Junk> junk() {
        return junk;
    }

    public static IniFile parse(String text) {
        List<Entry> entries = new ArrayList<>();
        List<Junk> junk = new ArrayList<>();
        String section = "General";
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1).strip();
            }
            if (line.isEmpty() || line.startsWith(";") || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                int end = line.indexOf(']');
                if (end < 0) {
                    junk.add(new Junk(line, lineNo));
                    continue;
                }
                section = line.substring(1, end).strip();
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                junk.add(new Junk(line, lineNo));
                continue;
            }
            String key = line.substring(0, eq).strip();
            if (key.isEmpty()) {
                junk.add(new Junk(line, lineNo));
                continue;
            }
            String raw = line.substring(eq + 1);
            entries.add(new Entry(section, key, unquote(raw, false).getFirst(), unquote(raw, true), lineNo));
        }
        return new IniFile(entries, junk);
    }

    /** Unquotes and splits a raw value; a {@code ;} outside quotes ends it. Whitespace counts only inside quotes. */
    static List<String> splitValue(String raw) {
        return unquote(raw, true);
    }

    private static List<String> unquote(String raw, boolean split) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int keep = 0; // characters of cur that came from quotes or escapes: never trimmed
        boolean quoted = false;
        int i = 0;
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                keep = cur.length();
                i++;
            } else if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(i + 1);
                cur.append(
                        switch (n) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> n;
                        });
                keep = cur.length();
                i += 2;
            } else if (!quoted && c == ';') {
                break;
            } else if (split && !quoted && c == ',') {
                out.add(trimEnd(cur, keep));
                cur.setLength(0);
                keep = 0;
                i++;
            } else if (!quoted && cur.isEmpty() && Character.isWhitespace(c)) {
                i++;
            } else {
                cur.append(c);
                if (quoted) {
                    keep = cur.length();
                }
                i++;
            }
        }
        out.add(trimEnd(cur, keep));
        return out;
    }

    private static String trimEnd(StringBuilder sb, int keep) {
        int end = sb.length();
        while (end > keep && Character.isWhitespace(sb.charAt(end - 1))) {
            end--;
        }
        return sb.substring(0, end);
    }
}
