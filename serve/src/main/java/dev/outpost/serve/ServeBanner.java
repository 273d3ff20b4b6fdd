package dev.outpost.serve;

import dev.outpost.edge.cache.CacheSettings;
import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.server.ListenException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code serve} prints once everything listens: where (the app, the GRIP proxy, publishing, the inspector), the
 * routes, what moved and why, and commands to try. The commands come from the app's own
 * {@code [local_server.outpost]} ({@link BannerHints}); Outpost cannot know an app's paths or channels.
 */
final class ServeBanner {
    /** Things the banner has to tell: a default port that was taken and moved, a project without a manifest. */
    static final class Notes {
        private final List<String> lines = new ArrayList<>();

        void add(String line) {
            lines.add(line);
        }

        /** A default port was taken: say by whom and which option chooses one. */
        void moved(String what, ListenException e, String option) {
            add(what + " moved to a free port: " + e.port() + " is in use"
                    + e.holder().map(h -> " by " + h).orElse("") + " (" + option + " chooses one)");
        }

        List<String> lines() {
            return lines;
        }
    }

    private final ServeSession s;
    private final PrintStream out;

    ServeBanner(ServeSession session, PrintStream out) {
        this.s = session;
        this.out = out;
    }

    void print() {
        String edgeUrl = "http://" + hostForUrl(s.edge().address().getHostString()) + ":" + s.edgePort();
        ServeSession.Fanout fanout = s.fanout();
        out.println();
        out.println("Outpost serve: " + s.project().dir() + " (" + s.project().wasm() + ", "
                + s.edge().engineDescription() + ")");
        out.println("  edge       " + edgeUrl + "/");
        String publishBase = "http://127.0.0.1:" + fanout.publishPort();
        if (fanout.enabled()) {
            out.println("  fanout     "
                    + (s.pushpin() != null
                            ? "Pushpin " + s.pushpin().version() + " (" + fanout.pushpinPath() + ")"
                            : "GRIP proxy (in-process)")
                    + " on http://127.0.0.1:" + fanout.proxyPort() + "/");
            out.println("  publish    " + publishBase + "/publish/");
            printInspector();
            List<String> routes = s.routeLines();
            if (routes.isEmpty()) {
                out.println("  routes     (none: [local_server.backends] is empty)");
            }
            for (int i = 0; i < routes.size(); i++) {
                out.println((i == 0 ? "  routes     " : "             ") + routes.get(i));
            }
        } else {
            out.println("  fanout     off (handoffs answer 500; enable with [local_server.pushpin] enable = true"
                    + " or --experimental-enable-pushpin)");
            printInspector();
        }
        out.println("  cache      " + cacheLine());
        for (String note : s.notes().lines()) {
            out.println("  note       " + note);
        }
        printTry(edgeUrl);
        if (fanout.enabled()) {
            printPublish(publishBase);
        }
        if (s.options().watch()) {
            out.println("Watching " + s.project().dir() + " for changes.");
        }
        out.println("Ctrl-C stops.");
        out.flush();
    }

    private void printTry(String edgeUrl) {
        BannerHints hints = s.hints();
        out.println("Try:");
        if (hints.tryPaths().isEmpty()) {
            out.println("  curl -i " + edgeUrl + "/");
            if (s.project().manifest() != null) {
                out.println("  (your app's own paths show here when fastly.toml lists them:"
                        + " [local_server.outpost] try = [\"/path\"])");
            }
            return;
        }
        for (String path : hints.tryPaths()) {
            out.println("  curl -N " + edgeUrl + path);
        }
    }

    private void printPublish(String publishBase) {
        String channel = s.hints().channel();
        if (channel == null) {
            out.println("Publish to a channel your app holds clients on ([local_server.outpost] channel = \"...\""
                    + " shows it here):");
            out.println("  ./outpost publish --spec " + publishBase + " CHANNEL hello");
            return;
        }
        out.println("Publish to channel '" + channel + "':");
        out.println("  curl -d '{\"items\":[{\"channel\":\"" + channel + "\",\"formats\":{"
                + "\"http-stream\":{\"content\":\"hello\\n\"},\"http-response\":{\"body\":\"hello\\n\"},"
                + "\"ws-message\":{\"content\":\"hello\"}}}]}' " + publishBase + "/publish/");
        out.println("  ./outpost publish --spec " + publishBase + " " + channel + " hello");
    }

    /** What the banner says about the cache: size, readthrough, reloads. */
    private String cacheLine() {
        CacheSettings cache = s.cacheSettings();
        long size = cache.capacityBytes();
        String amount = size % (1L << 30) == 0
                ? (size >> 30) + " GiB"
                : size % (1L << 20) == 0
                        ? (size >> 20) + " MiB"
                        : size % 1024 == 0 ? (size >> 10) + " KiB" : size + " B";
        ServeOptions o = s.options();
        return amount + " in memory (--cache-size); readthrough HTTP cache "
                + (cache.readthrough()
                        ? "on for send/fetch to backends (off: --no-readthrough-cache)"
                        : "off (--no-readthrough-cache)")
                + (o.watch()
                        ? o.clearCacheOnReload()
                                ? "; emptied on reload"
                                : "; kept across reloads (--clear-cache-on-reload empties it)"
                        : "");
    }

    private void printInspector() {
        OutpostProxy proxy = s.proxy();
        if (proxy != null && proxy.inspectorAddress() != null) {
            out.println(
                    "  inspector  http://" + hostForUrl(proxy.inspectorAddress().getHostString()) + ":"
                            + proxy.inspectorAddress().getPort() + "/   (Prometheus: /metrics)");
            return;
        }
        String why;
        if (s.inspector().off()) {
            why = "--inspector-port off";
        } else if (s.pushpin() != null) {
            why = "it runs with the in-process GRIP proxy, not with an external Pushpin";
        } else {
            why = "it runs with the in-process GRIP proxy, and Fanout is off";
        }
        out.println("  inspector  off: " + why);
    }

    static String hostForUrl(String host) {
        if (host == null || host.isEmpty() || host.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
