package dev.outpost.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.proxy.config.ConfigException;
import dev.outpost.proxy.config.ProxyConfig;
import dev.outpost.proxy.config.PushpinConf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code pushpin.conf}: any bytes give a configuration (and warnings) or a {@link ConfigException} naming the file,
 * never another exception; what the parser accepts builds.
 */
class PushpinConfFuzzTest {
    private static final Path FILE = Path.of("/srv/app/pushpin.conf");

    @FuzzTest(maxDuration = "5m")
    void pushpinConf(byte[] content) {
        List<String> warnings = new ArrayList<>();
        ProxyConfig.Builder b;
        try {
            b = PushpinConf.parse(content, FILE, warnings::add);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(FILE.toString());
            return;
        }
        ProxyConfig c = b.build();
        assertThat(c.httpPort()).isBetween(0, 65535);
        assertThat(c.publishPort()).isBetween(0, 65535);
        // one warning per line at most: a line is either a key, junk or nothing
        assertThat(warnings.size()).isLessThanOrEqualTo(content.length + 1);
    }
}
