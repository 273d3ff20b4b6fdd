package dev.outpost.edge.config;

import java.util.List;
import java.util.Map;

/**
 * What {@code [local_server]} of a {@code fastly.toml} configures, as local serving uses it. Maps keep file order.
 *
 * @param configStores config stores and legacy dictionaries by name: key to value
 * @param kvStores initial KV contents by store name
 * @param secretStores secrets by store name: name to plaintext
 * @param geolocation records by IP address (as written in the file), each a JSON object text
 * @param useDefaultLoopbackGeo whether loopback clients get the built-in record
 * @param deviceDetection records by exact user agent, each a JSON object text
 * @param acls entries by ACL name
 * @param fakeValidFastlyKeys values of a {@code fastly-key} header that {@code fastly_key_is_valid} accepts
 * @param shieldingSites shielding sites by name ({@code [local_server.shielding_sites]})
 */
public record LocalServerConfig(
        Map<String, BackendConfig> backends,
        Map<String, Map<String, String>> configStores,
        Map<String, Map<String, KvEntry>> kvStores,
        Map<String, Map<String, byte[]>> secretStores,
        Map<String, String> geolocation,
        boolean useDefaultLoopbackGeo,
        Map<String, String> deviceDetection,
        Map<String, List<AclEntry>> acls,
        List<String> fakeValidFastlyKeys,
        Map<String, ShieldingSite> shieldingSites) {

    /** Without fake Fastly keys or shielding sites. */
    public LocalServerConfig(
            Map<String, BackendConfig> backends,
            Map<String, Map<String, String>> configStores,
            Map<String, Map<String, KvEntry>> kvStores,
            Map<String, Map<String, byte[]>> secretStores,
            Map<String, String> geolocation,
            boolean useDefaultLoopbackGeo,
            Map<String, String> deviceDetection,
            Map<String, List<AclEntry>> acls) {
        this(
                backends,
                configStores,
                kvStores,
                secretStores,
                geolocation,
                useDefaultLoopbackGeo,
                deviceDetection,
                acls,
                List.of(),
                Map.of());
    }

    public static LocalServerConfig empty() {
        return new LocalServerConfig(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), true, Map.of(), Map.of());
    }

    /**
     * A shielding site: the one this server pretends to run on ({@code "local"}), or a remote one reached through its
     * URLs.
     */
    public record ShieldingSite(boolean local, String unencrypted, String encrypted) {}

    /** One ACL rule: an IP prefix and its action ({@code ALLOW} or {@code BLOCK}). */
    public record AclEntry(String prefix, String action) {}
}
