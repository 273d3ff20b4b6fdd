package dev.outpost.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the per-proxy result files ({@code RESULT key value unit} lines) into Markdown tables with the ratio of
 * the last proxy (Outpost) to each of the others. A ratio above 1 always means the last proxy did better.
 */
final class Report {
    private record Figure(double value, String unit) {}

    private Report() {}

    /** args: label=file ... ; the last label is the one compared against the others. */
    static String render(List<String> args) throws IOException {
        Map<String, Map<String, Figure>> byLabel = new LinkedHashMap<>();
        Set<String> keys = new LinkedHashSet<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            String label = a.substring(0, eq);
            Path file = Path.of(a.substring(eq + 1));
            Map<String, Figure> figures = new LinkedHashMap<>();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.split("\t");
                    if (f.length >= 3 && f[0].equals("RESULT")) {
                        String unit = f.length > 3 ? f[3] : "";
                        figures.put(f[1], new Figure(Double.parseDouble(f[2]), unit));
                        keys.add(f[1]);
                        units.putIfAbsent(f[1], unit);
                    }
                }
            }
            derive(figures, keys, units);
            byLabel.put(label, figures);
        }
        List<String> ordered = new ArrayList<>(keys);
        String share = "plain.proxy_share_of_origin";
        if (ordered.remove(share)) {
            int at = ordered.indexOf("plain.proxy_rps");
            ordered.add(at < 0 ? ordered.size() : at + 1, share);
        }
        List<String> labels = new ArrayList<>(byLabel.keySet());
        String subject = labels.get(labels.size() - 1);
        List<String> others = labels.subList(0, labels.size() - 1);

        StringBuilder main = new StringBuilder();
        StringBuilder cpu = new StringBuilder();
        header(main, "Figure", labels, others, subject, true);
        header(cpu, "CPU during scenario (% of one core)", labels, others, subject, false);
        int cpuRows = 0;
        for (String key : ordered) {
            String unit = units.get(key);
            boolean isCpu = unit.startsWith("% of a core") || key.endsWith("processes");
            cpuRows += isCpu ? 1 : 0;
            StringBuilder out = isCpu ? cpu : main;
            out.append("| ").append(key).append(isCpu || unit.isEmpty() ? "" : " (" + unit + ")");
            for (String l : labels) {
                Figure f = byLabel.get(l).get(key);
                out.append(" | ").append(f == null ? (l.equals(subject) ? "pending" : "—") : fmt(f.value()));
            }
            if (!isCpu) {
                for (String other : others) {
                    out.append(" | ")
                            .append(ratio(
                                    key,
                                    unit,
                                    byLabel.get(other).get(key),
                                    byLabel.get(subject).get(key)));
                }
            }
            out.append(" |\n");
        }
        return cpuRows == 0 ? main.toString() : main + "\n" + cpu;
    }

    private static void derive(Map<String, Figure> f, Set<String> keys, Map<String, String> units) {
        Figure proxy = f.get("plain.proxy_rps");
        Figure origin = f.get("plain.origin_rps");
        if (proxy != null && origin != null && origin.value() > 0) {
            String k = "plain.proxy_share_of_origin";
            f.put(k, new Figure(100 * proxy.value() / origin.value(), "% of origin req/s"));
            keys.add(k);
            units.putIfAbsent(k, "% of origin req/s");
        }
    }

    private static void header(
            StringBuilder out, String first, List<String> labels, List<String> others, String subject, boolean ratios) {
        out.append("| ").append(first);
        labels.forEach(l -> out.append(" | ").append(l));
        if (ratios) {
            others.forEach(o -> out.append(" | ").append(subject).append(" vs ").append(o));
        }
        out.append(" |\n|---");
        labels.forEach(l -> out.append("|---:"));
        if (ratios) {
            others.forEach(o -> out.append("|---:"));
        }
        out.append("|\n");
    }

    private static String ratio(String key, String unit, Figure base, Figure subject) {
        if (base == null
                || subject == null
                || key.endsWith(".lost")
                || key.endsWith(".ended_by_proxy")
                || key.endsWith(".publish_conns")
                || key.endsWith(".conns_ready")
                || key.endsWith(".open_refused")
                || key.endsWith("_errors")) {
            return "";
        }
        double b = base.value();
        double s = subject.value();
        boolean lowerBetter = unit.equals("ms") || unit.equals("KiB") || unit.equals("MiB");
        // a JVM may hand heap back between two samples, leaving a delta at or below zero: no meaningful ratio
        if (b <= 0 || s <= 0) {
            return "n/a";
        }
        double r = lowerBetter ? b / s : s / b;
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
