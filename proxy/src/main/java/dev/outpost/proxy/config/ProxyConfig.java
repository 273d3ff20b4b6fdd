package dev.outpost.proxy.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of one proxy instance; defaults are Pushpin's (except that both listeners bind 127.0.0.1).
 * {@code sigKey} null means requests to origins carry no {@code Grip-Sig}. {@code messageRate} and {@code messageHwm}
 * -1 mean unlimited. {@code settings} holds every value of the configuration file by {@code section/key}, so features
 * can read keys this record has no field for.
 */
public record ProxyConfig(
        String httpHost,
        int httpPort,
        String publishHost,
        int publishPort,
        Path routesFile,
        List<String> routeLines,
        String sigIss,
        byte[] sigKey,
        boolean debug,
        int clientMaxConn,
        int logLevel,
        boolean acceptPushpinRoute,
        int publishMaxBodySize,
        int messageRate,
        int messageHwm,
        int messageWaitMs,
        int idCacheTtlSeconds,
        int connectionSubscriptionMax,
        boolean updateOnFirstSubscription,
        Map<String, String> settings) {

    public ProxyConfig {
        routeLines = routeLines == null ? List.of() : List.copyOf(routeLines);
        sigKey = sigKey == null ? null : sigKey.clone();
        settings = settings == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    }

    /**
     * Pushpin's {@code subscription_linger} ({@code [handler]}, seconds, default 60): a channel left by its last
     * subscriber stays subscribed this long (checked when the file is read).
     */
    public int subscriptionLingerSeconds() {
        return setting("handler/subscription_linger")
                .map(String::strip)
                .filter(v -> v.matches("[0-9]{1,9}"))
                .map(Integer::parseInt)
                .orElse(60);
    }

    /** A raw configuration value by {@code section/key} (e.g. {@code proxy/x_forwarded_for}), as read from the file. */
    public Optional<String> setting(String sectionSlashKey) {
        return Optional.ofNullable(settings.get(sectionSlashKey));
    }

    @Override
    public byte[] sigKey() {
        return sigKey == null ? null : sigKey.clone();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder()
                .httpHost(httpHost)
                .httpPort(httpPort)
                .publishHost(publishHost)
                .publishPort(publishPort)
                .routesFile(routesFile)
                .routeLines(routeLines)
                .sigIss(sigIss)
                .sigKey(sigKey)
                .debug(debug)
                .clientMaxConn(clientMaxConn)
                .logLevel(logLevel)
                .acceptPushpinRoute(acceptPushpinRoute)
                .publishMaxBodySize(publishMaxBodySize)
                .messageRate(messageRate)
                .messageHwm(messageHwm)
                .messageWaitMs(messageWaitMs)
                .idCacheTtlSeconds(idCacheTtlSeconds)
                .connectionSubscriptionMax(connectionSubscriptionMax)
                .updateOnFirstSubscription(updateOnFirstSubscription)
                .settings(settings);
    }

    public static final class Builder {
        private String httpHost = "127.0.0.1";
        private int httpPort = 7999;
        private String publishHost = "127.0.0.1";
        private int publishPort = 5561;
        private Path routesFile;
        private final List<String> routeLines = new ArrayList<>();
        private String sigIss = "pushpin";
        private byte[] sigKey;
        private boolean debug;
        private int clientMaxConn = 50000;
        private int logLevel = 2;
        private boolean acceptPushpinRoute;
        private int publishMaxBodySize = 1_000_000;
        private int messageRate = -1;
        private int messageHwm = -1;
        private int messageWaitMs = 5000;
        private int idCacheTtlSeconds = 0;
        private int connectionSubscriptionMax = 20;
        private boolean updateOnFirstSubscription = true;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {}

        public Builder httpHost(String v) {
            this.httpHost = v;
            return this;
        }

        public Builder httpPort(int v) {
            this.httpPort = v;
            return this;
        }

        public Builder publishHost(String v) {
            this.publishHost = v;
            return this;
        }

        public Builder publishPort(int v) {
            this.publishPort = v;
            return this;
        }

        public Builder routesFile(Path v) {
            this.routesFile = v;
            return this;
        }

        public Builder routeLines(List<String> v) {
            routeLines.clear();
            if (v != null) routeLines.addAll(v);
            return this;
        }

        public Builder addRouteLine(String v) {
            routeLines.add(v);
            return this;
        }

        public Builder sigIss(String v) {
            this.sigIss = v;
            return this;
        }

        public Builder sigKey(byte[] v) {
            this.sigKey = v == null ? null : v.clone();
            return this;
        }

        public Builder debug(boolean v) {
            this.debug = v;
            return this;
        }

        public Builder clientMaxConn(int v) {
            this.clientMaxConn = v;
            return this;
        }

        public Builder logLevel(int v) {
            this.logLevel = v;
            return this;
        }

        public Builder acceptPushpinRoute(boolean v) {
            this.acceptPushpinRoute = v;
            return this;
        }

        public Builder publishMaxBodySize(int v) {
            this.publishMaxBodySize = v;
            return this;
        }

        public Builder messageRate(int v) {
            this.messageRate = v;
            return this;
        }

        public Builder messageHwm(int v) {
            this.messageHwm = v;
            return this;
        }

        public Builder messageWaitMs(int v) {
            this.messageWaitMs = v;
            return this;
        }

        public Builder idCacheTtlSeconds(int v) {
            this.idCacheTtlSeconds = v;
            return this;
        }

        public Builder connectionSubscriptionMax(int v) {
            this.connectionSubscriptionMax = v;
            return this;
        }

        public Builder updateOnFirstSubscription(boolean v) {
            this.updateOnFirstSubscription = v;
            return this;
        }

        public Builder settings(Map<String, String> v) {
            settings.clear();
            if (v != null) settings.putAll(v);
            return this;
        }

        public Builder setting(String sectionSlashKey, String value) {
            settings.put(sectionSlashKey, value);
            return this;
        }

        public String httpHost() {
            return httpHost;
        }

        public int httpPort() {
            return httpPort;
        }

        public String publishHost() {
            return publishHost;
        }

        public int publishPort() {
            return publishPort;
        }

        public Path routesFile() {
            return routesFile;
        }

        public List<String> routeLines() {
            return List.copyOf(routeLines);
        }

        public String sigIss() {
            return sigIss;
        }

        public byte[] sigKey() {
            return sigKey == null ? null : sigKey.clone();
        }

        public boolean debug() {
            return debug;
        }

        public int clientMaxConn() {
            return clientMaxConn;
        }

        public int logLevel() {
            return logLevel;
        }

        public boolean acceptPushpinRoute() {
            return acceptPushpinRoute;
        }

        public int publishMaxBodySize() {
            return publishMaxBodySize;
        }

        public int messageRate() {
            return messageRate;
        }

        public int messageHwm() {
            return messageHwm;
        }

        public int messageWaitMs() {
            return messageWaitMs;
        }

        public int idCacheTtlSeconds() {
            return idCacheTtlSeconds;
        }

        public int connectionSubscriptionMax() {
            return connectionSubscriptionMax;
        }

        public boolean updateOnFirstSubscription() {
            return updateOnFirstSubscription;
        }

        public Map<String, String> settings() {
            return Map.copyOf(settings);
        }

        public ProxyConfig build() {
            return new ProxyConfig(
                    httpHost,
                    httpPort,
                    publishHost,
                    publishPort,
                    routesFile,
                    routeLines,
                    sigIss,
                    sigKey,
                    debug,
                    clientMaxConn,
                    logLevel,
                    acceptPushpinRoute,
                    publishMaxBodySize,
                    messageRate,
                    messageHwm,
                    messageWaitMs,
                    idCacheTtlSeconds,
                    connectionSubscriptionMax,
                    updateOnFirstSubscription,
                    settings);
        }
    }
}
