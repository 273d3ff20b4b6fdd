package dev.outpost.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {

    private static RouteTable table(String... lines) throws RoutesException {
        return RouteTable.of(RoutesParser.parse(String.join("\n", lines), "routes"));
    }

    /** Target host of the chosen route, or "none". */
    private static String pick(RouteTable t, String host, String path, boolean ws, boolean tls) {
        return t.match(host, path, ws, tls)
                .map(r -> r.targets().getFirst().host())
                .orElse("none");
    }

    private static final String[] PRECEDENCE = {
        "* star:1",
        "*,proto=ws star-ws:1",
        "*,path_beg=/api star-api:1",
        "*,path_beg=/api/v2 star-api-v2:1",
        "*,path_beg=/api,proto=http star-api-http:1",
        "*,path_beg=/secure,ssl=yes star-secure-tls:1",
        "*,path_beg=/secure,ssl=no star-secure-plain:1",
        "*,path_beg=/secure star-secure:1",
        "example.com exact:1",
        "example.com,path_beg=/only exact-only:1",
        "Mixed.Case.org mixed:1",
        "id=hidden,path_beg=/hidden hostless:1",
    };

    @ParameterizedTest(name = "{0} {1} ws={2} tls={3} -> {4}")
    @CsvSource({
        // exact host beats *
        "example.com,     /,              false, false, exact",
        "example.com,     /api/x,         false, false, exact",
        "EXAMPLE.com,     /,              false, false, exact",
        "mixed.case.org,  /,              false, false, mixed",
        "other.com,       /,              false, false, star",
        "'',              /,              false, false, star",
        // a host with routes never falls back to *
        "example.com,     /only/x,        false, false, exact-only",
        // proto given beats proto not given, even against a longer path_beg
        "other.com,       /api/v2/x,      false, false, star-api-http",
        "other.com,       /api/x,         false, false, star-api-http",
        "other.com,       /api/v2/x,      true,  false, star-ws",
        "other.com,       /x,             true,  false, star-ws",
        // longer path_beg wins when proto does not decide
        "other.com,       /apix,          false, false, star-api-http",
        // path_beg is a plain prefix of the encoded path
        "other.com,       /api,           false, false, star-api-http",
        "other.com,       /ap,            false, false, star",
        // ssl given beats ssl not given; a mismatching ssl is no candidate
        "other.com,       /secure/x,      false, true,  star-secure-tls",
        "other.com,       /secure/x,      false, false, star-secure-plain",
        // a route without host is not matched by host
        "other.com,       /hidden/x,      false, false, star",
    })
    void precedence(String host, String path, boolean ws, boolean tls, String expected) throws Exception {
        assertThat(pick(table(PRECEDENCE), host, path, ws, tls)).isEqualTo(expected);
    }

    @Test
    void noRouteWhenTheHostsRoutesDoNotMatch() throws Exception {
        RouteTable t = table("* star:1", "example.com,path_beg=/a exact:1", "example.com,proto=ws exact-ws:1");
        assertThat(t.match("example.com", "/b", false, false)).isEmpty();
        assertThat(pick(t, "example.com", "/b", true, false)).isEqualTo("exact-ws");
        assertThat(pick(t, "example.net", "/b", false, false)).isEqualTo("star");
    }

    @Test
    void noWildcardMeansNoRouteForOtherHosts() throws Exception {
        RouteTable t = table("example.com exact:1");
        assertThat(t.match("example.net", "/", false, false)).isEmpty();
        assertThat(t.match(null, "/", false, false)).isEmpty();
    }

    @Test
    void protoMismatchIsNoCandidate() throws Exception {
        RouteTable t = table("*,proto=http h:1");
        assertThat(t.match("x", "/", true, false)).isEmpty();
        assertThat(pick(t, "x", "/", false, false)).isEqualTo("h");
    }

    @Test
    void sslMismatchIsNoCandidate() throws Exception {
        RouteTable t = table("*,ssl=yes s:1");
        assertThat(t.match("x", "/", false, false)).isEmpty();
        assertThat(pick(t, "x", "/", false, true)).isEqualTo("s");
    }

    @Test
    void lineOrderDoesNotMatter() throws Exception {
        List<String> lines = List.of(
                "* r1:1",
                "*,path_beg=/api r3:1",
                "*,path_beg=/api/v2 r4:1",
                "*,path_beg=/api/v2,ssl=yes r6:1",
                "*,path_beg=/api/v2,ssl=no r7:1",
                "*,proto=ws r2:1",
                "*,proto=ws,path_beg=/api r8:1");
        String[][] requests = {
            {"/x", "false", "false", "r1"},
            {"/api/x", "false", "false", "r3"},
            {"/api/v3", "false", "true", "r3"},
            {"/api/v2/x", "false", "true", "r6"},
            {"/api/v2/x", "false", "false", "r7"},
            {"/x", "true", "false", "r2"},
            {"/api/v2/x", "true", "true", "r8"},
        };
        int checked = 0;
        for (List<String> perm : permutations(lines)) {
            RouteTable t = table(perm.toArray(String[]::new));
            for (String[] q : requests) {
                assertThat(pick(t, "h", q[0], Boolean.parseBoolean(q[1]), Boolean.parseBoolean(q[2])))
                        .as("%s for %s", Arrays.toString(q), perm)
                        .isEqualTo(q[3]);
                checked++;
            }
        }
        assertThat(checked).isEqualTo(5040 * requests.length);
    }

    @Test
    void incomparableRoutesFollowPushpinTheLaterLineWins() throws Exception {
        // neither beats the other on every count: Pushpin keeps whichever comes later
        assertThat(pick(table("*,path_beg=/api/v2 long:1", "*,ssl=yes tls:1"), "h", "/api/v2/x", false, true))
                .isEqualTo("tls");
        assertThat(pick(table("*,ssl=yes tls:1", "*,path_beg=/api/v2 long:1"), "h", "/api/v2/x", false, true))
                .isEqualTo("long");
    }

    @Test
    void duplicateConditionKeepsTheFirstAndWarns() throws Exception {
        List<String> warnings = new ArrayList<>();
        RouteTable t = RouteTable.of(
                RoutesParser.parse(
                        "*,path_beg=/a first:1\nother.com,path_beg=/a other:1\n*,path_beg=/a second:1\n", "routes"),
                warnings::add);
        assertThat(pick(t, "h", "/a", false, false)).isEqualTo("first");
        assertThat(t.routes()).hasSize(2);
        assertThat(warnings).containsExactly("routes:3: skipping duplicate condition (same as routes:1)");
    }

    @Test
    void sameConditionOnDifferentHostsIsNoDuplicate() throws Exception {
        RouteTable t = table("a.com x:1", "b.com y:1");
        assertThat(t.routes()).hasSize(2);
    }

    @Test
    void byIdFindsExplicitAndDerivedIds() throws Exception {
        RouteTable t = table("*,id=api,path_beg=/api api:1", "example.com,proto=ws ws:1", "id=hidden hidden:1");
        assertThat(t.byId("api").map(Route::source)).hasValue("routes:1");
        assertThat(t.byId("example.com,ws,*,*").map(Route::source)).hasValue("routes:2");
        assertThat(t.byId("hidden").map(Route::source)).hasValue("routes:3");
        assertThat(t.byId("nope")).isEmpty();
        assertThat(t.byId(null)).isEmpty();
    }

    @Test
    void sharedIdSelectsNothingAndFallsBackToHostMatching() throws Exception {
        List<String> warnings = new ArrayList<>();
        RouteTable t = RouteTable.of(
                RoutesParser.parse(
                        "*,id=x,path_beg=/a a:1\n*,id=x,path_beg=/b b:1\n*,id=x,path_beg=/c c:1\n", "routes"),
                warnings::add);
        assertThat(t.isIdShared("x")).isTrue();
        assertThat(t.byId("x")).isEmpty();
        assertThat(t.select("x", "h", "/b", false, false)
                        .map(r -> r.targets().getFirst().host()))
                .hasValue("b");
        assertThat(warnings)
                .containsExactly("routes:2: route id x is also used by routes:1; Pushpin-Route cannot select either");
    }

    @Test
    void selectUsesTheHeaderWhenGiven() throws Exception {
        RouteTable t = table("* star:1", "*,id=api,path_beg=/api api:1", "id=hidden hidden:1");
        assertThat(hostOf(t.select("hidden", "h", "/", false, false))).isEqualTo("hidden");
        assertThat(hostOf(t.select("api", "h", "/other", false, false))).isEqualTo("api");
        // an unknown id gives no route, as in Pushpin
        assertThat(t.select("unknown", "h", "/", false, false)).isEmpty();
        assertThat(hostOf(t.select(null, "h", "/", false, false))).isEqualTo("star");
        assertThat(hostOf(t.select("", "h", "/", false, false))).isEqualTo("star");
    }

    private static String hostOf(Optional<Route> r) {
        return r.map(x -> x.targets().getFirst().host()).orElse("none");
    }

    @Test
    void emptyTable() {
        RouteTable t = RouteTable.of(List.of());
        assertThat(t.isEmpty()).isTrue();
        assertThat(t.routes()).isEmpty();
        assertThat(t.match("h", "/", false, false)).isEmpty();
    }

    @Test
    void routesKeepLineOrder() throws Exception {
        RouteTable t = table("b.com b:1", "* s:1", "a.com a:1");
        assertThat(t.routes()).extracting(Route::source).containsExactly("routes:1", "routes:2", "routes:3");
        assertThat(t.isEmpty()).isFalse();
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.size() <= 1) {
            return List.of(items);
        }
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> p : permutations(rest)) {
                List<T> l = new ArrayList<>();
                l.add(head);
                l.addAll(p);
                out.add(l);
            }
        }
        return out;
    }
}
