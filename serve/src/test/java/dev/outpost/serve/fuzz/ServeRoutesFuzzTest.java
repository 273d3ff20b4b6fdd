package dev.outpost.serve.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.edge.config.BackendConfig;
import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlException;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.edge.config.PushpinRoutes;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;

/**
 * What {@code serve} does with {@code [local_server.backends]}: every backend the manifest parser accepts becomes a
 * route line that the routes parser reads back to the same backend (id, path prefix, host, port, Host header).
 */
class ServeRoutesFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void routesFromManifest(byte[] data) throws RoutesException {
        FastlyManifest m;
        try {
            m = FastlyTomlParser.parse(
                    new String(data, StandardCharsets.UTF_8),
                    "fastly.toml",
                    path -> {
                        throw new NoSuchFileException(path);
                    },
                    name -> null);
        } catch (FastlyTomlException e) {
            return;
        }
        for (BackendConfig b : m.localServer().backends().values()) {
            String line = PushpinRoutes.line(b);
            Route r = RoutesParser.parseLine(line, "backend " + b.name());
            if (!b.name().isEmpty()) {
                assertThat(r.id()).as(line).isEqualTo(b.name());
            }
            if (!b.pathPrefix().isEmpty()) {
                assertThat(r.replaceBeg()).as(line).isEqualTo(b.pathPrefix());
            }
            assertThat(r.targets()).as(line).hasSize(1);
            String host = b.url().getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            assertThat(r.targets().getFirst().host()).as(line).isEqualTo(host);
            assertThat(r.targets().getFirst().port()).as(line).isEqualTo(b.port());
            assertThat(r.targets().getFirst().hostHeader()).as(line).isEqualTo(PushpinRoutes.overrideHost(b));
        }
    }
}
