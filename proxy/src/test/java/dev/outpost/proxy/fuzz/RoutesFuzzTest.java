package dev.outpost.proxy.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.proxy.route.Route;
import dev.outpost.proxy.route.RouteTable;
import dev.outpost.proxy.route.RoutesException;
import dev.outpost.proxy.route.RoutesParser;
import dev.outpost.proxy.route.Target;
import java.util.List;

/**
 * The routes file: any bytes give routes that make a {@link RouteTable}, or a {@link RoutesException} naming the
 * file and line, never another exception.
 */
class RoutesFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void routes(byte[] content) {
        List<Route> routes;
        try {
            routes = RoutesParser.parse(content, "routes");
        } catch (RoutesException e) {
            assertThat(e.getMessage()).startsWith("routes");
            return;
        }
        for (Route r : routes) {
            assertThat(r.targets()).isNotEmpty();
            for (Target t : r.targets()) {
                if (t.kind() == Target.Kind.HOST) {
                    assertThat(t.host()).isNotEmpty();
                    assertThat(t.port()).isBetween(1, 65535);
                }
            }
        }
        RouteTable table = RouteTable.of(routes, warning -> {});
        assertThat(table).isNotNull();
    }
}
