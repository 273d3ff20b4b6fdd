package dev.outpost.proxy.observe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inspector's recent events (the last {@value Model#EVENTS}) and what the live feed has not sent yet: at most
 * {@value Inspector#FEED_EVENTS_PER_TICK} events per tick (the rest counted as skipped), and the keep-alives of the
 * tick as a count and a sample. Touched by the inspector's thread only.
 */
final class EventLog {
    final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
    /** Events not yet sent to the live feed. */
    final List<Map<String, Object>> fresh = new ArrayList<>();

    int freshSkipped;
    long keepAlivesSinceTick;
    final List<String> keepAliveSample = new ArrayList<>();
    private long eventSeq;

    void add(long now, String type, String conn, String channel, Long pub, String text) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("seq", ++eventSeq);
        e.put("t", now);
        e.put("type", type);
        if (conn != null) {
            e.put("conn", conn);
        }
        if (channel != null) {
            e.put("channel", channel);
        }
        if (pub != null) {
            e.put("pub", pub);
        }
        if (text != null) {
            e.put("text", text);
        }
        events.addLast(e);
        if (events.size() > Model.EVENTS) {
            events.removeFirst();
        }
        if (fresh.size() < Inspector.FEED_EVENTS_PER_TICK) {
            fresh.add(e);
        } else {
            freshSkipped++;
        }
    }

    /** A keep-alive sent on connection {@code id}: counted for the tick, the first five named. */
    void keepAlive(String id) {
        keepAlivesSinceTick++;
        if (keepAliveSample.size() < 5) {
            keepAliveSample.add(id);
        }
    }

    /** The tick is over: what the feed had to send is gone. */
    void tickDone() {
        fresh.clear();
        freshSkipped = 0;
        keepAlivesSinceTick = 0;
        keepAliveSample.clear();
    }
}
