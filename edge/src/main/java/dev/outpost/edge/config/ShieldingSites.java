package dev.outpost.edge.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.edge.config.LocalServerConfig.ShieldingSite;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code [local_server.shielding_sites]}: each site is {@code "local"} (the site this server pretends to be) or a table
 * of two URLs, {@code unencrypted} and {@code encrypted}, as Viceroy reads it.
 */
final class ShieldingSites {
    private ShieldingSites() {}

    static Map<String, ShieldingSite> parse(String file, JsonNode node) {
        if (node == null) {
            return Map.of();
        }
        String table = file + ": [local_server.shielding_sites]";
        if (!node.isObject()) {
            throw new FastlyTomlException(table + ": not a table (expected: site = \"local\" or a table of URLs)");
        }
        Map<String, ShieldingSite> sites = new LinkedHashMap<>();
        for (var it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode site = e.getValue();
            if (site.isTextual()) {
                if (!site.asText().equalsIgnoreCase("local")) {
                    throw new FastlyTomlException(table + " " + e.getKey() + " = " + site
                            + " (expected: \"local\" or { unencrypted = \"http://…\", encrypted = \"https://…\" })");
                }
                sites.put(e.getKey(), new ShieldingSite(true, null, null));
            } else if (site.isObject() && site.size() == 2 && site.has("unencrypted") && site.has("encrypted")) {
                sites.put(
                        e.getKey(),
                        new ShieldingSite(
                                false,
                                url(table, e.getKey(), site.get("unencrypted")),
                                url(table, e.getKey(), site.get("encrypted"))));
            } else {
                throw new FastlyTomlException(table + " " + e.getKey() + " = " + site
                        + " (expected: \"local\" or a table with exactly unencrypted and encrypted)");
            }
        }
        return Map.copyOf(sites);
    }

    private static String url(String table, String site, JsonNode value) {
        try {
            if (value.isTextual()) {
                URI uri = new URI(value.asText());
                if (uri.getScheme() != null && uri.getHost() != null) {
                    return value.asText();
                }
            }
        } catch (URISyntaxException e) {
            // Reported below.
        }
        throw new FastlyTomlException(
                table + " " + site + ": " + value + " (expected: a URL such as" + " \"http://127.0.0.1:8080/\")");
    }
}
