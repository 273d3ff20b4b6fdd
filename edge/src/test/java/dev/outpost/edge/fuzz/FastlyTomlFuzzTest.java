package dev.outpost.edge.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.PushpinRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;

/**
 * {@code fastly.toml}: any text gives a manifest or a {@link FastlyTomlException} naming the file, never another
 * exception. The input is the manifest, then optionally a NUL and the bytes every file it names reads as (a JSON
 * store, a PEM certificate, a KV blob); without a NUL no named file exists.
 */
class FastlyTomlFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void fastlyToml(byte[] data) {
        int nul = indexOfNul(data);
        String text = new String(data, 0, nul < 0 ? data.length : nul, StandardCharsets.UTF_8);
        byte[] fileContent = nul < 0 ? null : Arrays.copyOfRange(data, nul + 1, data.length);
        FastlyTomlParser.FileSource files = path -> {
            if (fileContent == null) {
                throw new NoSuchFileException(path);
            }
            return fileContent.clone();
        };
        FastlyManifest m;
        try {
            m = FastlyTomlParser.parse(text, "fastly.toml", files, name -> "value of " + name);
        } catch (FastlyTomlException e) {
            assertThat(e.getMessage()).startsWith("fastly.toml: ");
            return;
        }
        assertThat(m.localServer()).isNotNull();
        // serve turns the backends into GRIP proxy routes
        assertThat(PushpinRoutes.lines(m.localServer().backends()))
                .hasSize(m.localServer().backends().size());
    }

    private static int indexOfNul(byte[] data) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
