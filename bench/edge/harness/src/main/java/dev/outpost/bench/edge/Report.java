package dev.outpost.bench.edge;

import java.util.ArrayList;
import java.util.List;

/** The result table: one row per measure and engine, with the reference and the target where there is one. */
final class Report {
    private final List<String> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * @param reference the wasmtime figure measured in the same run, or NaN
     * @param target e.g. {@code "≤ 3 ms"}, {@code "≤ 3× wasmtime"}, or empty
     * @param met null when there is no target
     */
    void row(
            String measure, String engine, String outpost, String reference, String ratio, String target, Boolean met) {
        String line = String.format(
                "| %s | %s | %s | %s | %s | %s | %s |",
                measure, engine, outpost, reference, ratio, target, met == null ? "" : met ? "yes" : "**no**");
        rows.add(line);
        System.err.println(line);
    }

    void row(String measure, String engine, double outpostMs, double referenceMs, String target, Boolean met) {
        row(
                measure,
                engine,
                Stats.fmt(outpostMs),
                Double.isNaN(referenceMs) ? "" : Stats.fmt(referenceMs),
                Double.isNaN(referenceMs) ? "" : String.format("%.2f×", outpostMs / referenceMs),
                target,
                met);
    }

    void note(String text) {
        notes.add(text);
        System.err.println("note: " + text);
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| measure | engine | Outpost | wasmtime (same run) | ratio | target | met |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        if (!notes.isEmpty()) {
            sb.append('\n');
            notes.forEach(n -> sb.append("- ").append(n).append('\n'));
        }
        return sb.toString();
    }
}
