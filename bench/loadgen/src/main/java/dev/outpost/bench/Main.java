package dev.outpost.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point. Commands:
 * <pre>
 *   origin --listen 127.0.0.1:PORT [--threads 1]
 *   suite  --proxy HOST:PORT --publish HOST:PORT [--pid PID] [options, see usage]
 *   report LABEL=FILE ...        (Markdown tables; the last label is compared with the others)
 * </pre>
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("a command is required (expected: origin, suite or report)");
        }
        String cmd = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        switch (cmd) {
            case "origin" -> origin(flags(rest));
            case "suite" -> suite(flags(rest));
            case "report" -> System.out.print(Report.render(rest));
            case "cluster" -> cluster(flags(rest));
            case "hold" -> {
                Map<String, String> f = flags(rest);
                String[] proxy = hostPort(f, "proxy", null);
                Cluster.hold(
                        proxy[0],
                        Integer.parseInt(proxy[1]),
                        Integer.parseInt(f.getOrDefault("conns", "1000")),
                        f.getOrDefault("channel", "cluster"),
                        Integer.parseInt(f.getOrDefault("threads", "1")),
                        Long.parseLong(f.getOrDefault("open-timeout-ms", "120000")));
            }
            default -> usage("unknown command: " + cmd + " (expected: origin, suite, cluster, hold or report)");
        }
    }

    private static void origin(Map<String, String> f) throws Exception {
        String[] hp = hostPort(f, "listen", "127.0.0.1:0");
        try (Origin origin =
                new Origin(hp[0], Integer.parseInt(hp[1]), Integer.parseInt(f.getOrDefault("threads", "1")))) {
            System.out.println("ORIGIN_READY " + origin.port());
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    private static void suite(Map<String, String> f) throws Exception {
        String[] proxy = hostPort(f, "proxy", null);
        String[] publish = hostPort(f, "publish", null);
        List<int[]> shapes = new ArrayList<>();
        for (String s : list(f.getOrDefault("tput", "1x100,1000x1"))) {
            String[] p = s.split("x");
            if (p.length != 2) {
                usage("--tput " + s + " (expected: CHANNELSxSUBSCRIBERS, e.g. 1x100)");
            }
            shapes.add(new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])});
        }
        Suite.Options o = new Suite.Options(
                proxy[0],
                Integer.parseInt(proxy[1]),
                publish[0],
                Integer.parseInt(publish[1]),
                Long.parseLong(f.getOrDefault("pid", "0")),
                list(f.getOrDefault("hold", "1000,10000,max")),
                Integer.parseInt(f.getOrDefault("max-conns", "19700")),
                Integer.parseInt(f.getOrDefault("fanout-warmup", "0")),
                Integer.parseInt(f.getOrDefault("fanout-rounds", "3")),
                shapes,
                Long.parseLong(f.getOrDefault("tput-ms", "10000")),
                Long.parseLong(f.getOrDefault("drain-ms", "30000")),
                Integer.parseInt(f.getOrDefault("lanes", "4")),
                Integer.parseInt(f.getOrDefault("ws", "1000")),
                Integer.parseInt(f.getOrDefault("open-window", "256")),
                Long.parseLong(f.getOrDefault("deliver-timeout-ms", "30000")),
                Long.parseLong(f.getOrDefault("open-timeout-ms", "120000")),
                Integer.parseInt(f.getOrDefault("threads", "1")));
        Suite.log("load generator: %s transport, %d event-loop thread(s)", Net.EPOLL ? "epoll" : "nio", o.threads());
        new Suite(o).run();
    }

    private static void cluster(Map<String, String> f) throws Exception {
        List<String[]> nodes = new ArrayList<>();
        for (String n : list(f.getOrDefault("nodes", ""))) {
            int colon = n.lastIndexOf(':');
            nodes.add(new String[] {n.substring(0, colon), n.substring(colon + 1)});
        }
        if (nodes.isEmpty()) {
            usage("--nodes is required (expected: HOST:PORT[,HOST:PORT...])");
        }
        String channel = f.getOrDefault("channel", "cluster");
        Cluster.setChannel(channel);
        Cluster.run(
                nodes,
                hostPort(f, "publish", null),
                Integer.parseInt(f.getOrDefault("conns", "1000")),
                channel,
                Integer.parseInt(f.getOrDefault("fanout-warmup", "0")),
                Integer.parseInt(f.getOrDefault("fanout-rounds", "3")),
                Integer.parseInt(f.getOrDefault("threads", "1")),
                list(f.getOrDefault("pids", "")).stream().map(Long::parseLong).toList(),
                Long.parseLong(f.getOrDefault("bus-pid", "0")));
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    private static String[] hostPort(Map<String, String> f, String name, String dflt) {
        String v = f.getOrDefault(name, dflt);
        if (v == null) {
            usage("--" + name + " is required (expected: HOST:PORT)");
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            usage("--" + name + " " + v + " (expected: HOST:PORT)");
        }
        return new String[] {v.substring(0, colon), v.substring(colon + 1)};
    }

    private static Map<String, String> flags(List<String> args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                usage("argument " + a + " (expected: --name value pairs)");
            }
            m.put(a.substring(2), args.get(++i));
        }
        return m;
    }

    private static void usage(String why) {
        System.err.println("loadgen: " + why);
        System.err.println("usage: loadgen origin --listen HOST:PORT [--threads N]");
        System.err.println(
                "       loadgen suite --proxy HOST:PORT --publish HOST:PORT [--pid PID] [--hold 1000,10000,max]");
        System.err.println(
                "              [--max-conns N] [--fanout-warmup N] [--fanout-rounds N] [--tput 1x100,1000x1]");
        System.err.println(
                "              [--tput-ms MS] [--drain-ms MS] [--lanes N] [--ws N] [--open-window N] [--deliver-timeout-ms MS]");
        System.err.println("              [--open-timeout-ms MS] [--threads N]");
        System.err.println("       loadgen cluster --nodes HOST:PORT[,HOST:PORT...] --publish HOST:PORT --conns N");
        System.err.println(
                "              [--channel C] [--fanout-warmup N] [--fanout-rounds N] [--threads N] [--pids PID,...]"
                        + " [--bus-pid PID]");
        System.err.println("       loadgen report LABEL=FILE ...");
        System.exit(2);
    }
}
