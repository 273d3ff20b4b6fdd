package dev.outpost.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code serve}'s banner suggests trying, as the app declares it in {@code fastly.toml}:
 *
 * <pre>
 * [local_server.outpost]
 * try = ["/test/stream", "/edge/hello"]   # requests to show as curl commands
 * channel = "test"                        # the channel its GRIP answers subscribe to
 * </pre>
 *
 * Fastly's tools ignore the table (they skip unknown tables under {@code [local_server]}). Without it the banner
 * suggests the app's root and a publish to a placeholder channel: Outpost cannot know an app's paths (issue #18).
 *
 * @param tryPaths paths to show as {@code curl} commands, each starting with {@code /}
 * @param channel the channel for the publish commands, or null
 */
public record BannerHints(List<String> tryPaths, String channel) {
    public static final BannerHints NONE = new BannerHints(List.of(), null);
    private static final TomlMapper TOML = new TomlMapper();

    /** Reads the table from {@code manifest}; {@link #NONE} without one. */
    public static BannerHints read(Path manifest) throws ServeException {
        if (manifest == null || !Files.isRegularFile(manifest)) {
            return NONE;
        }
        JsonNode table;
        try {
            table = TOML.readTree(manifest.toFile()).path("local_server").path("outpost");
        } catch (IOException e) {
            return NONE; // the manifest's own reader reports TOML mistakes
        }
        if (table.isMissingNode()) {
            return NONE;
        }
        String where = manifest + ": [local_server.outpost] ";
        List<String> paths = new ArrayList<>();
        JsonNode t = table.path("try");
        if (!t.isMissingNode()) {
            if (!t.isArray()) {
                throw new ServeException(
                        2, where + "try: " + t + " (expected: a list of paths, e.g. [\"/test/stream\"])");
            }
            for (JsonNode p : t) {
                if (!p.isTextual() || !p.asText().startsWith("/")) {
                    throw new ServeException(
                            2, where + "try: " + p + " (expected: a path starting with /, e.g. \"/test/stream\")");
                }
                paths.add(p.asText());
            }
        }
        JsonNode c = table.path("channel");
        String channel = null;
        if (!c.isMissingNode()) {
            if (!c.isTextual() || c.asText().isBlank()) {
                throw new ServeException(2, where + "channel: " + c + " (expected: a channel name, e.g. \"test\")");
            }
            channel = c.asText();
        }
        return new BannerHints(List.copyOf(paths), channel);
    }
}
