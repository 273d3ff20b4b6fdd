package dev.outpost.edge.config;

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
 */
public record LocalServerConfig(
        Map<String, BackendConfig> backends,
        Map<String, Map<String, String>> configStores,
        Map<String, Map<String, KvEntry>> kvStores,
        Map<String, Map<String, byte[]>> secretStores,
        Map<String, String> geolocation,
        boolean useDefaultLoopbackGeo,
        Map<String, String> deviceDetection,
        Map<String, java.util.List<AclEntry>> acls) {

    public static LocalServerConfig empty() {
        return new LocalServerConfig(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), true, Map.of(), Map.of());
    }

    /** One ACL rule: an IP prefix and its action ({@code ALLOW} or {@code BLOCK}). */
    public record AclEntry(String prefix, String action) {}
}
