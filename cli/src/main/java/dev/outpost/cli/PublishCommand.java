package dev.outpost.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.cli.publish.PublishBody;
import dev.outpost.cli.publish.PublishBody.Action;
import dev.outpost.cli.publish.PublishBody.Format;
import dev.outpost.grip.client.GripPublisher;
import dev.outpost.grip.client.GripUrl;
import dev.outpost.grip.client.PublishException;
import dev.outpost.proxy.config.FileErrors;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.Slf4JLoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.helpers.NOP_FallbackServiceProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code outpost publish}: one item to the publish API, with the options of {@code pushpin-publish}.
 *
 * <p>Its command model is built in code ({@link #spec}), not from annotations: picocli reads annotations through
 * reflection and the JDK makes a proxy class for each annotation type on every start, about a fifth of a publish's
 * time, and scripts publish in loops, a JVM start each (issue #18).
 */
final class PublishCommand implements Callable<Integer> {
    static final String GRIP_URL_ENV = "GRIP_URL";

    private CommandSpec spec;
    private String channel;
    private String content;
    private String id;
    private String prevId;
    private String sender;
    private Integer code;
    private List<String> headers = List.of();
    private List<String> meta = List.of();
    private boolean hint;
    private boolean close;
    private boolean patch;
    private boolean noSeq;
    private boolean noEol;
    private List<String> formats = List.of();
    private String gripUrl;
    private String user;
    private String bearer;
    private Double timeoutSeconds;

    /** The model of {@code outpost publish} for {@code command}, which runs it; options in the order help lists them. */
    static CommandSpec spec(PublishCommand command) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name("publish");
        spec.versionProvider(new VersionProvider());
        spec.usageMessage()
                .sortOptions(false)
                .description(
                        "Publish a message to a channel through the GRIP publish API, as pushpin-publish does.",
                        "By default the content goes out as http-response (long-polls), http-stream (streams) and "
                                + "ws-message (WebSockets); inline content gets a newline on HTTP payloads.")
                .footer(
                        "",
                        "The endpoint is SPEC/publish/. Credentials in the GRIP URL:",
                        "  ?iss=ISS&key=KEY  a Bearer JWT signed with KEY (plain, or base64:...)",
                        "  ?key=KEY          KEY as a Bearer token",
                        "  USER:PASS@HOST    Basic auth",
                        "",
                        "Exit codes: 0 published, 1 not delivered (endpoint unreachable or not 200), 2 bad usage.",
                        "Examples:",
                        "  outpost publish test hello",
                        "  outpost publish news @message.txt --id 2 --prev-id 1",
                        "  echo '{\"n\":1}' | outpost publish news - --format sse",
                        "  outpost publish news --close");
        spec.addPositional(PositionalParamSpec.builder()
                .index("0")
                .arity("1")
                .required(true)
                .paramLabel("CHANNEL")
                .description("Channel to send to.")
                .type(String.class)
                .build());
        spec.addPositional(PositionalParamSpec.builder()
                .index("1")
                .arity("0..1")
                .paramLabel("CONTENT")
                .description("Content for the HTTP body and the WebSocket message: text, @FILE to read a file, "
                        + "or - to read standard input (files and standard input are sent as they are).")
                .type(String.class)
                .build());
        spec.addOption(text("ID", "Payload ID.", "--id"));
        spec.addOption(text("ID", "Previous payload ID.", "--prev-id"));
        spec.addOption(text("SENDER", "Sender meta value.", "--sender"));
        spec.addOption(OptionSpec.builder("--code")
                .paramLabel("CODE")
                .description("HTTP response code to use. Default: 200.")
                .type(Integer.class)
                .build());
        spec.addOption(repeated("HEADER", "Add an HTTP response header, \"Name: Value\". Repeatable.", "-H", "--header")
                .build());
        spec.addOption(repeated("K=V", "Add a meta variable. Repeatable.", "-M", "--meta")
                .build());
        spec.addOption(flag("Send a hint instead of content.", "--hint"));
        spec.addOption(flag("Close streaming and WebSocket connections.", "--close"));
        spec.addOption(flag("Content is a JSON patch (http-response body-patch).", "--patch"));
        spec.addOption(flag("Bypass the sequencing buffer.", "--no-seq"));
        spec.addOption(flag("Don't add a newline to HTTP payloads.", "--no-eol"));
        spec.addOption(repeated(
                        "FORMAT",
                        "Only these formats: http-response, http-stream, ws-message, or sse (http-stream content "
                                + "framed as a Server-Sent Event). Repeatable or comma-separated.",
                        "--format")
                .splitRegex(",")
                .build());
        spec.addOption(text(
                "URL", "GRIP URL of the publish API. Default: $GRIP_URL, else " + GripUrl.DEFAULT + ".", "--spec"));
        spec.addOption(text("USER:PASS", "Authenticate using basic auth.", "-u", "--user"));
        spec.addOption(text("TOKEN", "Authenticate using a bearer token.", "-B", "--bearer"));
        spec.addOption(OptionSpec.builder("--timeout")
                .paramLabel("SECONDS")
                .description("Connect and read timeout. Default: 10.")
                .type(Double.class)
                .build());
        spec.addOption(OptionSpec.builder("-h", "--help")
                .usageHelp(true)
                .description("Show this help message and exit.")
                .build());
        spec.addOption(OptionSpec.builder("-V", "--version")
                .versionHelp(true)
                .description("Print version information and exit.")
                .build());
        command.spec = spec;
        return spec;
    }

    private static OptionSpec text(String label, String description, String... names) {
        return OptionSpec.builder(names)
                .paramLabel(label)
                .description(description)
                .type(String.class)
                .build();
    }

    private static OptionSpec flag(String description, String name) {
        return OptionSpec.builder(name)
                .description(description)
                .type(boolean.class)
                .build();
    }

    private static OptionSpec.Builder repeated(String label, String description, String... names) {
        return OptionSpec.builder(names)
                .paramLabel(label)
                .description(description)
                .type(List.class)
                .auxiliaryTypes(String.class);
    }

    /** Takes what picocli parsed into the fields {@link #call} reads. */
    private void bind() {
        List<PositionalParamSpec> positionals = spec.positionalParameters();
        channel = positionals.get(0).getValue();
        content = positionals.get(1).getValue();
        id = value("--id");
        prevId = value("--prev-id");
        sender = value("--sender");
        code = value("--code");
        headers = list("--header");
        meta = list("--meta");
        hint = flagSet("--hint");
        close = flagSet("--close");
        patch = flagSet("--patch");
        noSeq = flagSet("--no-seq");
        noEol = flagSet("--no-eol");
        formats = list("--format");
        gripUrl = value("--spec");
        user = value("--user");
        bearer = value("--bearer");
        timeoutSeconds = value("--timeout");
    }

    private <T> T value(String option) {
        return spec.findOption(option).getValue();
    }

    private List<String> list(String option) {
        List<String> v = value(option);
        return v == null ? List.of() : v;
    }

    private boolean flagSet(String option) {
        Boolean v = value(option);
        return v != null && v;
    }

    private final Map<String, String> env;
    private final Supplier<InputStream> stdin;

    PublishCommand() {
        this(System.getenv(), () -> System.in);
    }

    PublishCommand(Map<String, String> env, Supplier<InputStream> stdin) {
        this.env = env;
        this.stdin = stdin;
    }

    /**
     * Readies a JVM that runs only this command, before anything of Netty loads: scripts publish in loops, a JVM start
     * each (issue #18). No logging framework (the command reports what happened itself; Netty would only log its own
     * troubles), no JFR event classes, no pooled buffer arenas for one small request. A property given on the command
     * line wins. Not for a JVM that does more than publish (it changes process-wide defaults).
     */
    static void leanStart() {
        setIfAbsent("io.netty.jfr.enabled", "false");
        setIfAbsent("io.netty.allocator.type", "unpooled");
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.internal.verbosity", "WARN"); // no line about the provider chosen
            System.setProperty("slf4j.provider", NOP_FallbackServiceProvider.class.getName());
            // Netty's own choice refuses SLF4J's no-op and would start java.util.logging instead
            InternalLoggerFactory.setDefaultFactory(Slf4JLoggerFactory.INSTANCE);
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** A bad option value or combination; exit code 2. */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public Integer call() {
        bind();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GripPublisher publisher;
        PublishBody.Item item;
        try {
            GripUrl url = endpoint();
            item = buildItem();
            publisher = publisher(url, timeout());
        } catch (UsageError e) {
            err.println("outpost: " + e.getMessage());
            err.flush();
            return 2;
        }
        try (publisher) {
            publisher.publish(PublishBody.toPublishItem(item));
        } catch (PublishException e) {
            if (!e.refused()) {
                err.println("outpost: cannot reach the publish endpoint " + e.endpoint() + ": " + e.detail());
                err.println("  Is Outpost running? Start it with `outpost proxy` (publish port 5561 by default), or "
                        + "point --spec or " + GRIP_URL_ENV + " at its publish port.");
            } else {
                err.println("outpost: publish to " + e.endpoint() + " failed: " + e.detail());
                if (e.status() == 401 || e.status() == 403) {
                    err.println("  The endpoint wants credentials: ?iss=..&key=.. in the GRIP URL, -u USER:PASS or "
                            + "-B TOKEN.");
                }
            }
            err.flush();
            return 1;
        }
        out.println("Published");
        out.flush();
        return 0;
    }

    private GripUrl endpoint() throws UsageError {
        String source;
        String value;
        if (gripUrl != null) {
            source = "--spec ";
            value = gripUrl;
        } else {
            String fromEnv = env.get(GRIP_URL_ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                source = GRIP_URL_ENV + " ";
                value = fromEnv;
            } else {
                source = "default GRIP URL ";
                value = GripUrl.DEFAULT;
            }
        }
        try {
            return GripUrl.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageError(source + e.getMessage());
        }
    }

    /** The kit's publisher for the URL, with -u or -B in place of the URL's credentials. */
    private GripPublisher publisher(GripUrl url, Duration timeout) throws UsageError {
        if (user != null && bearer != null) {
            throw new UsageError("-u and -B both given (expected: one way to authenticate)");
        }
        if (bearer != null && bearer.isBlank()) {
            throw new UsageError("-B '' (expected: a token)");
        }
        if (user != null && user.isEmpty()) {
            throw new UsageError("-u '' (expected: USER:PASS)");
        }
        GripPublisher.Builder b = GripPublisher.builder(url)
                .timeout(timeout)
                .header("User-Agent", "outpost-publish/" + VersionProvider.version());
        if (bearer != null) {
            b.bearer(bearer);
        } else if (user != null) {
            b.basicAuth(user);
        }
        return b.build();
    }

    private Duration timeout() throws UsageError {
        if (timeoutSeconds == null) {
            return Duration.ofSeconds(10);
        }
        if (!(timeoutSeconds > 0) || timeoutSeconds > 3600) {
            throw new UsageError("--timeout " + timeoutSeconds + " (expected: seconds > 0 and <= 3600)");
        }
        return Duration.ofMillis(Math.max(1, Math.round(timeoutSeconds * 1000)));
    }

    private PublishBody.Item buildItem() throws UsageError {
        if (channel.isEmpty()) {
            throw new UsageError("CHANNEL '' (expected: a channel name)");
        }
        if (hint && close) {
            throw new UsageError("--hint and --close both given (expected: at most one)");
        }
        Action action = hint ? Action.HINT : close ? Action.CLOSE : Action.SEND;
        String flag = hint ? "--hint" : "--close";
        if (action != Action.SEND) {
            if (patch) {
                throw new UsageError(flag + " with --patch (expected: one of them)");
            }
            if (content != null) {
                throw new UsageError(flag + " with CONTENT '" + abbreviate(content) + "' (expected: no content)");
            }
            if (!headers.isEmpty() || code != null) {
                throw new UsageError(flag + " with " + (code != null ? "--code" : "-H")
                        + " (expected: response code and headers only with content)");
            }
        }
        if (code != null && (code < 0 || code > 999)) {
            throw new UsageError("--code " + code + " (expected: integer 0-999)");
        }
        List<Map.Entry<String, String>> responseHeaders = new ArrayList<>();
        Map<String, String> metaVars = new LinkedHashMap<>();
        Set<Format> requested = EnumSet.noneOf(Format.class);
        try {
            for (String h : headers) {
                responseHeaders.add(PublishBody.parseHeader(h));
            }
            if (sender != null && !sender.isEmpty()) {
                metaVars.put("sender", sender);
            }
            for (String m : meta) {
                Map.Entry<String, String> e = PublishBody.parseMeta(m);
                metaVars.put(e.getKey(), e.getValue());
            }
            for (String f : formats) {
                requested.add(Format.parse(f));
            }
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }

        byte[] httpContent = null;
        byte[] wsContent = null;
        JsonNode patchOps = null;
        if (action == Action.SEND) {
            if (content == null) {
                throw new UsageError(
                        "CONTENT: missing (expected: text, @FILE, or - for standard input; " + "or --hint / --close)");
            }
            byte[] raw;
            boolean inline = false;
            if (content.equals("-")) {
                try {
                    raw = stdin.get().readAllBytes();
                } catch (IOException e) {
                    throw new UsageError("CONTENT -: cannot read standard input: " + e.getMessage());
                }
            } else if (content.startsWith("@")) {
                Path file = Path.of(content.substring(1));
                try {
                    raw = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new UsageError("CONTENT @" + file + ": cannot read the file (" + FileErrors.describe(e)
                            + ") (expected: a readable file)");
                }
            } else {
                raw = content.getBytes(StandardCharsets.UTF_8);
                inline = true;
            }
            if (patch) {
                try {
                    patchOps = PublishBody.parsePatch(raw);
                } catch (IllegalArgumentException e) {
                    throw new UsageError(e.getMessage());
                }
            } else {
                wsContent = raw;
                httpContent = inline && !noEol ? withNewline(raw) : raw;
            }
        }
        PublishBody.Item item = new PublishBody.Item(
                channel,
                id,
                prevId,
                metaVars,
                noSeq,
                action,
                requested,
                code == null ? 200 : code,
                responseHeaders,
                httpContent,
                wsContent,
                patchOps);
        Set<Format> effective;
        try {
            effective = PublishBody.effectiveFormats(item);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        if (!effective.contains(Format.HTTP_RESPONSE) && (!responseHeaders.isEmpty() || code != null)) {
            throw new UsageError((code != null ? "--code" : "-H") + " applies to http-response, which --format "
                    + String.join(",", formats) + " leaves out (expected: --format including http-response)");
        }
        return item;
    }

    private static byte[] withNewline(byte[] b) {
        byte[] r = new byte[b.length + 1];
        System.arraycopy(b, 0, r, 0, b.length);
        r[b.length] = '\n';
        return r;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
