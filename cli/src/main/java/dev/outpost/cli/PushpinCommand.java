package dev.outpost.cli;

import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import dev.outpost.proxy.observe.InspectorOption;
import dev.outpost.serve.ServeException;
import dev.outpost.serve.standin.PushpinStandIn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outpost pushpin} ({@code bin/pushpin}): Pushpin's command line, served by Outpost's GRIP proxy, so that
 * {@code fastly compute serve} runs Outpost where it would run Pushpin. The options and the configuration become a
 * {@link ProxyConfig}; running it is {@link PushpinStandIn}'s.
 */
@Command(
        name = "pushpin",
        versionProvider = PushpinCommand.Version.class,
        description = {
            "Outpost standing in for Pushpin: runs Outpost's GRIP proxy from a pushpin.conf and its routes file, as"
                    + " 'pushpin' does, in one process. A line ending in 'started' is printed once both ports accept"
                    + " connections.",
            "'fastly compute serve' runs it in Pushpin's place with --pushpin-path <outpost>/bin/pushpin, or with"
                    + " Outpost's bin/ first on PATH.",
            "The inspector listens on 127.0.0.1:7998 when that port is free; the Fastly CLI passes no option for it,"
                    + " so OUTPOST_INSPECTOR_PORT=[ADDR:]PORT|0|off chooses.",
            ""
        },
        footer = {
            "",
            "Exit codes: 0 stopped normally, 1 failed at run time, 2 bad configuration or usage.",
            "Example:",
            "  fastly compute serve --viceroy-path <outpost>/bin/viceroy --pushpin-path <outpost>/bin/pushpin"
        })
final class PushpinCommand implements Callable<Integer> {
    static final String NAME = "pushpin";
    /** The Pushpin release whose command line and configuration (service names) this one takes. */
    static final String PUSHPIN_VERSION = "1.41.0";

    @Option(names = "--config", paramLabel = "<file>", description = "Config file (pushpin.conf).")
    Path config;

    @Option(names = "--logfile", paramLabel = "<file>", description = "File to log to (default: standard output).")
    Path logFile;

    @Option(
            names = "--loglevel",
            paramLabel = "<x>",
            description = "Log level: 0 error ... 2 info ... 4 trace; name:N parts (per Pushpin process) are accepted"
                    + " and have no meaning in one process.")
    String logLevel;

    @Option(names = "--verbose", description = "Verbose output. Same as --loglevel=3.")
    boolean verbose;

    @Option(names = "--port", paramLabel = "<[addr:]port>", description = "Client HTTP port, overriding http_port.")
    String port;

    @Option(
            names = "--id",
            paramLabel = "<x>",
            description = "Instance ID: accepted; instances here share nothing but their ports, so none is needed.")
    Integer id;

    @Option(names = "--route", paramLabel = "<line>", description = "Add route (overrides the routes file).")
    List<String> routes = new ArrayList<>();

    @Option(
            names = {"-m", "--merge-output"},
            description = "Accepted: there is one process, so one output.")
    boolean mergeOutput;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help message and exit.")
    boolean help;

    @Option(
            names = {"-V", "-v", "--version"},
            versionHelp = true,
            description = "Print version information and exit (-v as Pushpin 1.36, -V as 1.40 and later).")
    boolean version;

    /** Runs {@code args} (without the leading {@code pushpin}); returns the exit code. */
    static int execute(String[] args) {
        Logging.useConfiguration("logback-pushpin.xml");
        return commandLine().execute(args);
    }

    /** The configured command line, with Pushpin's way of reporting a usage error. */
    static CommandLine commandLine() {
        return StandIns.commandLine(new PushpinCommand(), "Error: ", " (see pushpin --help)");
    }

    @Override
    public Integer call() throws InterruptedException {
        if (logFile != null && !Logging.logToFile(logFile)) {
            System.err.println("Error: --logfile " + logFile + ": cannot open; logging to standard output");
        }
        Integer level = commandLineLevel();
        if (level == null && logLevel != null) {
            return 2;
        }
        Logging.setLevel(level != null ? level : 2);
        // Looked up here, not in a static field: the logging configuration is chosen before the first logger.
        Logger log = LoggerFactory.getLogger("pushpin");
        log.info("starting...");
        ProxyConfig.Builder builder;
        InspectorOption inspector;
        try {
            builder = config == null
                    ? ProxyConfig.builder()
                    : PushpinConf.load(config, warning -> log.warn("{}", warning));
            if (port != null) {
                ProxyCommand.applyAddress(builder, port, "--port", true);
            }
            inspector = InspectorOption.parse(System.getenv("OUTPOST_INSPECTOR_PORT"));
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            return 2;
        }
        inspector.applyTo(builder);
        builder.routeLines(routes);
        if (level == null) {
            Logging.setLevel(builder.logLevel());
        }
        if (config != null) {
            log.info("using config: {}", config.toAbsolutePath());
        }
        PushpinStandIn standIn;
        try {
            standIn = PushpinStandIn.start(builder.build(), !inspector.given());
        } catch (ServeException e) {
            System.err.println("Error: " + e.getMessage());
            return e.exitCode();
        }
        StandIns.closeAtExit(standIn::close, "pushpin-shutdown");
        return 0;
    }

    /** The level from --verbose or --loglevel, null when neither gives one (or after a usage error, printed). */
    private Integer commandLineLevel() {
        if (verbose) {
            return 3;
        }
        if (logLevel == null) {
            return null;
        }
        Integer level = null;
        for (String part : logLevel.split(",", -1)) {
            String p = part.strip();
            int colon = p.indexOf(':');
            String number = colon < 0 ? p : p.substring(colon + 1);
            if (p.isEmpty() || colon == 0 || !number.matches("[0-9]{1,3}")) {
                System.err.println("Error: --loglevel " + logLevel
                        + ": bad value (expected: N or a list of N and name:N, N from 0 to 4 and up)");
                return null;
            }
            if (colon < 0 || p.startsWith("default:")) {
                level = Integer.parseInt(number);
            }
        }
        return level == null ? 2 : level;
    }

    /** {@code pushpin --version}: Pushpin's format ({@code pushpin X.Y.Z}), naming Outpost after it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pushpin " + PUSHPIN_VERSION + " (Outpost " + VersionProvider.version() + ")"};
        }
    }
}
