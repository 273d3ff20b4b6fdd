package dev.outpost.proxy.observe;

import dev.outpost.grip.publish.PublishItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One recent publish and its outcomes so far. Touched by the inspector's thread only. */
final class Pub {
    final long seq;
    final long time;
    final long nanos;
    final PublishItem item;
    final Map<String, Object> summary;
    int subscribers;
    long delivered;
    /** Connections that carried out the item's action (hint, refresh, close) instead of receiving content. */
    long acted;

    final Map<String, Integer> dropped = new LinkedHashMap<>();
    /** The first {@value Model#OUTCOMES} outcomes; the rest only counted. */
    final List<Map<String, Object>> outcomes = new ArrayList<>();

    int moreOutcomes;

    Pub(long seq, long time, long nanos, PublishItem item) {
        this.seq = seq;
        this.time = time;
        this.nanos = nanos;
        this.item = item;
        this.summary = Summaries.item(item);
    }

    void outcome(String id, String outcome, String reason) {
        if (outcomes.size() >= Model.OUTCOMES) {
            moreOutcomes++;
            return;
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("conn", id);
        o.put("outcome", outcome);
        if (reason != null) {
            o.put("reason", reason);
        }
        outcomes.add(o);
    }
}
