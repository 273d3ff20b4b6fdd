package dev.outpost.proxy.route;

import java.util.ArrayList;
import java.util.List;

/** Parses Pushpin's routes syntax. */
public final class RoutesParser {
    private RoutesParser() {
    }

    public static List<Route> parse(String text, String sourceName) throws RoutesException {
        List<Route> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            out.add(parseLine(l, sourceName + ":" + (i + 1)));
        }
        return out;
    }

    public static Route parseLine(String line, String source) throws RoutesException {
        throw new RoutesException(source + ": not implemented yet (" + line + ")");
    }
}
