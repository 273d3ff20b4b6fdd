package dev.outpost.edge.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Reads {@code fastly.toml} as Viceroy reads its {@code [local_server]}: backends, config stores (and the legacy
 * dictionaries), KV stores (and the legacy object stores), secret stores, geolocation, device detection and ACLs.
 * Unknown tables under {@code [local_server]} are ignored, unknown keys inside an entry are errors. Files named in the
 * manifest are read relative to {@code baseDir} (the project folder), through a {@link FileSource} so that parsing
 * itself is a pure function of the text and the files' bytes.
 */
public final class FastlyTomlParser {
    private static final TomlMapper TOML = new TomlMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;
    private final FileSource files;
    private final Function<String, String> env;

    /** Reads a file the manifest names ({@code ca_certificate}, JSON stores, KV blobs, ACLs), as written there. */
    @FunctionalInterface
    public interface FileSource {
        byte[] read(String path) throws IOException;

        /** Files relative to {@code baseDir}; a name that is no path at all reads as an {@link IOException}. */
        static FileSource under(Path baseDir) {
            return path -> {
                Path p;
                try {
                    p = baseDir.resolve(path);
                } catch (InvalidPathException e) {
                    throw new IOException("not a file path: " + e.getReason(), e);
                }
                return Files.readAllBytes(p);
            };
        }
    }

    private FastlyTomlParser(String file, FileSource files, Function<String, String> env) {
        this.file = file;
        this.files = files;
        this.env = env;
    }

    /** Reads {@code path}; files it names are relative to its folder. */
    public static FastlyManifest read(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FastlyTomlException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        Path dir = path.toAbsolutePath().getParent();
        return parse(text, path.toString(), dir, System::getenv);
    }

    /**
     * Parses manifest text.
     *
     * @param file the name used in messages
     * @param env host environment, for secrets given as {@code env = "NAME"}
     */
    public static FastlyManifest parse(String text, String file, Path baseDir, Function<String, String> env) {
        return parse(text, file, FileSource.under(baseDir), env);
    }

    /** Like {@link #parse(String, String, Path, Function)} with the named files read through {@code files}. */
    public static FastlyManifest parse(String text, String file, FileSource files, Function<String, String> env) {
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (IOException e) {
            throw new FastlyTomlException(file + ": not valid TOML (" + e.getMessage() + ")", e);
        }
        return new FastlyTomlParser(file, files, env).manifest(root);
    }

    private FastlyManifest manifest(JsonNode root) {
        JsonNode version = root.get("manifest_version");
        if (version != null && (!version.canConvertToInt() || version.asInt() > 3)) {
            throw error("", "manifest_version", version, "an integer <= 3");
        }
        String name = root.hasNonNull("name") ? root.get("name").asText() : null;
        JsonNode scripts = root.get("scripts");
        String build = scripts != null && scripts.hasNonNull("build")
                ? scripts.get("build").asText()
                : null;
        JsonNode local = root.get("local_server");
        if (local == null) {
            return new FastlyManifest(name, build, LocalServerConfig.empty());
        }
        requireTable("local_server", local);
        return new FastlyManifest(name, build, localServer(local), pushpin(local.get("pushpin")));
    }

    /** {@code [local_server.pushpin]} with the Fastly CLI's types: a bool, a string and two 16-bit ports (0 = default). */
    private PushpinConfig pushpin(JsonNode node) {
        if (node == null) {
            return PushpinConfig.defaults();
        }
        String table = "local_server.pushpin";
        requireTable(table, node);
        boolean enable = false;
        String path = null;
        int proxyPort = PushpinConfig.DEFAULT_PROXY_PORT;
        int publishPort = PushpinConfig.DEFAULT_PUBLISH_PORT;
        for (var e : fields(node)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "enable" -> {
                    if (!v.isBoolean()) {
                        throw error(table, "enable", v, "true or false");
                    }
                    enable = v.booleanValue();
                }
                case "pushpin_path" -> {
                    if (!v.isTextual()) {
                        throw error(table, "pushpin_path", v, "a string: the path of a pushpin binary");
                    }
                    path = v.asText().isEmpty() ? null : v.asText();
                }
                case "proxy_port" -> proxyPort = port(table, "proxy_port", v, PushpinConfig.DEFAULT_PROXY_PORT);
                case "publish_port" -> publishPort = port(table, "publish_port", v, PushpinConfig.DEFAULT_PUBLISH_PORT);
                default -> {
                    // The Fastly CLI ignores keys it does not know here.
                }
            }
        }
        return new PushpinConfig(enable, path, proxyPort, publishPort);
    }

    private int port(String table, String key, JsonNode v, int dflt) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0 || v.asInt() > 65535) {
            throw error(table, key, v, "an integer port 1-65535, or 0 for the default " + dflt);
        }
        return v.asInt() == 0 ? dflt : v.asInt();
    }

    private LocalServerConfig localServer(JsonNode local) {
        Map<String, BackendConfig> backends = new LinkedHashMap<>();
        JsonNode backendsNode = local.get("backends");
        if (backendsNode != null) {
            requireTable("local_server.backends", backendsNode);
            for (var e : fields(backendsNode)) {
                backends.put(e.getKey(), new BackendTableParser(this, file, files).backend(e.getKey(), e.getValue()));
            }
        }
        Map<String, Map<String, String>> configStores = new LinkedHashMap<>();
        if (local.has("config_stores") && local.has("dictionaries")) {
            throw new FastlyTomlException(file + ": [local_server] has both config_stores and dictionaries"
                    + " (expected: one of them; dictionaries is the old name)");
        }
        for (String table : new String[] {"config_stores", "dictionaries"}) {
            JsonNode stores = local.get(table);
            if (stores != null) {
                requireTable("local_server." + table, stores);
                for (var e : fields(stores)) {
                    configStores.put(e.getKey(), configStore("local_server." + table + "." + e.getKey(), e.getValue()));
                }
            }
        }
        Map<String, Map<String, KvEntry>> kvStores = new LinkedHashMap<>();
        for (String table : new String[] {"kv_stores", "object_stores", "object_store"}) {
            JsonNode stores = local.get(table);
            if (stores != null) {
                requireTable("local_server." + table, stores);
                for (var e : fields(stores)) {
                    kvStores.put(e.getKey(), kvStore("local_server." + table + "." + e.getKey(), e.getValue()));
                }
            }
        }
        Map<String, Map<String, byte[]>> secretStores = new LinkedHashMap<>();
        JsonNode secrets = local.get("secret_stores");
        if (secrets != null) {
            requireTable("local_server.secret_stores", secrets);
            for (var e : fields(secrets)) {
                secretStores.put(e.getKey(), secretStore("local_server.secret_stores." + e.getKey(), e.getValue()));
            }
        }
        boolean useDefaultLoopback = true;
        Map<String, String> geolocation = new LinkedHashMap<>();
        JsonNode geo = local.get("geolocation");
        if (geo != null) {
            requireTable("local_server.geolocation", geo);
            if (geo.has("use_default_loopback")) {
                JsonNode flag = geo.get("use_default_loopback");
                if (!flag.isBoolean()) {
                    throw error("local_server.geolocation", "use_default_loopback", flag, "true or false");
                }
                useDefaultLoopback = flag.asBoolean();
            }
            geolocation = records("local_server.geolocation", geo, "addresses");
            for (String ip : geolocation.keySet()) {
                if (!ip.matches("[0-9a-fA-F:.]+")) {
                    throw new FastlyTomlException(file + ": [local_server.geolocation] address " + ip
                            + " (expected: an IPv4 or IPv6 address)");
                }
            }
        }
        Map<String, String> devices = new LinkedHashMap<>();
        JsonNode dd = local.get("device_detection");
        if (dd != null) {
            requireTable("local_server.device_detection", dd);
            devices = records("local_server.device_detection", dd, "user_agents");
        }
        Map<String, List<LocalServerConfig.AclEntry>> acls = new LinkedHashMap<>();
        JsonNode aclsNode = local.get("acls");
        if (aclsNode != null) {
            requireTable("local_server.acls", aclsNode);
            for (var e : fields(aclsNode)) {
                acls.put(e.getKey(), acl("local_server.acls", e.getKey(), e.getValue()));
            }
        }
        return new LocalServerConfig(
                backends,
                configStores,
                kvStores,
                secretStores,
                geolocation,
                useDefaultLoopback,
                devices,
                acls,
                fakeValidFastlyKeys(local.get("fake_valid_fastly_keys")),
                ShieldingSites.parse(file, local.get("shielding_sites")));
    }

    /** {@code fake_valid_fastly_keys = ["…"]}: what {@code fastly_key_is_valid} accepts. */
    private List<String> fakeValidFastlyKeys(JsonNode node) {
        if (node == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode key : node) {
                if (!key.isTextual()) {
                    throw error("local_server", "fake_valid_fastly_keys", node, "an array of strings");
                }
                keys.add(key.asText());
            }
            return List.copyOf(keys);
        }
        throw error("local_server", "fake_valid_fastly_keys", node, "an array of strings");
    }

    private Map<String, String> configStore(String table, JsonNode node) {
        requireTable(table, node);
        String format = format(table, node);
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode contents;
        if (format.equals("inline-toml")) {
            contents = node.get("contents");
            if (contents == null || !contents.isObject()) {
                throw error(table, "contents", contents, "a table of string values");
            }
        } else {
            contents = jsonFile(table, node);
            if (!contents.isObject()) {
                throw new FastlyTomlException(file + ": [" + table + "] file "
                        + node.get("file").asText() + ": not a JSON object (expected: an object of string values)");
            }
        }
        for (var e : fields(contents)) {
            if (!e.getValue().isTextual()) {
                throw error(table + ".contents", e.getKey(), e.getValue(), "a string");
            }
            if (e.getKey().length() > 256) {
                throw new FastlyTomlException(
                        file + ": [" + table + "] key " + e.getKey().substring(0, 20) + "… is "
                                + e.getKey().length() + " characters (expected: <= 256)");
            }
            if (e.getValue().asText().length() > 8000) {
                throw new FastlyTomlException(file + ": [" + table + "] value of " + e.getKey() + " is "
                        + e.getValue().asText().length() + " characters (expected: <= 8000)");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    private Map<String, KvEntry> kvStore(String table, JsonNode node) {
        Map<String, KvEntry> out = new LinkedHashMap<>();
        if (node.isArray()) {
            int i = 0;
            for (JsonNode item : node) {
                String where = table + "[" + i++ + "]";
                requireTable(where, item);
                String key = requiredString(where, item, "key");
                byte[] value = dataOrFile(where, item, Set.of("data", "file", "path"));
                out.put(key, new KvEntry(value, optionalString(where, item, "metadata")));
            }
            return out;
        }
        requireTable(table, node);
        if (node.has("file") != node.has("format")) {
            throw new FastlyTomlException(file + ": [" + table + "] has only one of file and format"
                    + " (expected: both, with format = \"json\", or an array of entries)");
        }
        JsonNode contents = jsonFile(table, node);
        for (var e : fields(contents)) {
            JsonNode v = e.getValue();
            if (v.isTextual()) {
                out.put(e.getKey(), new KvEntry(v.asText().getBytes(StandardCharsets.UTF_8), null));
            } else if (v.isObject()) {
                String where = table + " (" + node.get("file").asText() + ") " + e.getKey();
                byte[] value = dataOrFile(where, v, Set.of("data", "file"));
                out.put(
                        e.getKey(),
                        new KvEntry(
                                value,
                                v.hasNonNull("metadata") ? v.get("metadata").asText() : null));
            } else {
                throw new FastlyTomlException(
                        file + ": [" + table + "] " + node.get("file").asText() + " key " + e.getKey() + ": " + v
                                + " (expected: a string or an object with data or file)");
            }
        }
        return out;
    }

    private Map<String, byte[]> secretStore(String table, JsonNode node) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (node.isArray()) {
            int i = 0;
            for (JsonNode item : node) {
                String where = table + "[" + i++ + "]";
                requireTable(where, item);
                String key = requiredString(where, item, "key");
                if (item.has("env")) {
                    if (item.has("data") || item.has("file")) {
                        throw new FastlyTomlException(file + ": [" + where + "] has env and data or file"
                                + " (expected: exactly one of data, file, env)");
                    }
                    String value = env.apply(requiredString(where, item, "env"));
                    out.put(key, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
                } else {
                    out.put(key, dataOrFile(where, item, Set.of("data", "file")));
                }
            }
            return out;
        }
        requireTable(table, node);
        JsonNode contents = jsonFile(table, node);
        for (var e : fields(contents)) {
            if (!e.getValue().isTextual()) {
                throw new FastlyTomlException(
                        file + ": [" + table + "] " + node.get("file").asText() + " key " + e.getKey() + ": "
                                + e.getValue() + " (expected: a string)");
            }
            out.put(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Geolocation or device records: inline tables under {@code inlineKey}, or a JSON file; each a JSON text. */
    private Map<String, String> records(String table, JsonNode node, String inlineKey) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!node.has("format") && !node.has(inlineKey) && !node.has("file")) {
            return out;
        }
        String format = format(table, node);
        JsonNode contents;
        if (format.equals("inline-toml")) {
            contents = node.get(inlineKey);
            if (contents == null || !contents.isObject()) {
                throw error(table, inlineKey, contents, "a table of records");
            }
        } else {
            contents = jsonFile(table, node);
        }
        for (var e : fields(contents)) {
            if (!e.getValue().isObject()) {
                throw error(table + "." + inlineKey, e.getKey(), e.getValue(), "a table of fields");
            }
            try {
                out.put(e.getKey(), JSON.writeValueAsString(e.getValue()));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return out;
    }

    private List<LocalServerConfig.AclEntry> acl(String table, String name, JsonNode node) {
        String path;
        if (node.isTextual()) {
            path = node.asText();
        } else if (node.isObject() && node.hasNonNull("file")) {
            path = node.get("file").asText();
        } else {
            throw error(table, name, node, "a file name or { file = \"acl.json\" }");
        }
        JsonNode root = readJson(table + "." + name, path);
        JsonNode entries = root.get("entries");
        if (entries == null || !entries.isArray()) {
            throw new FastlyTomlException(file + ": [" + table + "] " + name + ": " + path
                    + " has no entries array (expected: {\"entries\": [{\"prefix\": …, \"action\": …}]})");
        }
        List<LocalServerConfig.AclEntry> out = new ArrayList<>();
        for (JsonNode entry : entries) {
            if (!entry.hasNonNull("prefix") || !entry.hasNonNull("action")) {
                throw new FastlyTomlException(file + ": [" + table + "] " + name + ": " + path + " entry " + entry
                        + " (expected: prefix and action)");
            }
            out.add(new LocalServerConfig.AclEntry(
                    entry.get("prefix").asText(), entry.get("action").asText()));
        }
        return out;
    }

    private String format(String table, JsonNode node) {
        JsonNode format = node.get("format");
        if (format == null
                || !format.isTextual()
                || !(format.asText().equals("inline-toml") || format.asText().equals("json"))) {
            throw error(table, "format", format, "\"inline-toml\" or \"json\"");
        }
        return format.asText();
    }

    private JsonNode jsonFile(String table, JsonNode node) {
        String path = requiredString(table, node, "file");
        JsonNode format = node.get("format");
        if (format != null && !"json".equals(format.asText())) {
            throw error(table, "format", format, "\"json\" with file");
        }
        return readJson(table, path);
    }

    private JsonNode readJson(String table, String path) {
        try {
            return JSON.readTree(files.read(path));
        } catch (JsonProcessingException e) {
            throw new FastlyTomlException(
                    file + ": [" + table + "] file " + path + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        } catch (IOException e) {
            throw new FastlyTomlException(
                    file + ": [" + table + "] file " + path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private byte[] dataOrFile(String table, JsonNode node, Set<String> keys) {
        List<String> present = keys.stream().filter(node::has).sorted().toList();
        if (present.size() != 1) {
            throw new FastlyTomlException(file + ": [" + table + "] has " + (present.isEmpty() ? "none" : present)
                    + " (expected: exactly one of " + String.join(", ", new TreeSet<>(keys)) + ")");
        }
        String key = present.getFirst();
        String value = requiredString(table, node, key);
        if (key.equals("data")) {
            return value.getBytes(StandardCharsets.UTF_8);
        }
        try {
            return files.read(value);
        } catch (IOException e) {
            throw new FastlyTomlException(
                    file + ": [" + table + "] " + key + " " + value + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    void requireTable(String table, JsonNode node) {
        if (!node.isObject()) {
            throw new FastlyTomlException(file + ": [" + table + "] is " + describe(node) + " (expected: a table)");
        }
    }

    private String requiredString(String table, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw error(table, key, v, "a string");
        }
        return v.asText();
    }

    String optionalString(String table, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw error(table, key, v, "a string");
        }
        return v.asText();
    }

    boolean optionalBoolean(String table, JsonNode node, String key, boolean otherwise) {
        JsonNode v = node.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw error(table, key, v, "true or false");
        }
        return v.asBoolean();
    }

    Duration optionalMillis(String table, JsonNode node, String key, Duration otherwise) {
        JsonNode v = node.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
            throw error(table, key, v, "an integer >= 0");
        }
        return Duration.ofMillis(v.asLong());
    }

    FastlyTomlException error(String table, String key, JsonNode value, String expected) {
        String where = table.isEmpty() ? "" : "[" + table + "] ";
        return new FastlyTomlException(file + ": " + where + key + ": " + (value == null ? "missing" : value.toString())
                + " (expected: " + expected + ")");
    }

    private static String describe(JsonNode node) {
        return node.isArray() ? "an array" : node.isTextual() ? "a string " + node : node.toString();
    }

    static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return () -> {
            Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) node).fields();
            return it;
        };
    }
}
