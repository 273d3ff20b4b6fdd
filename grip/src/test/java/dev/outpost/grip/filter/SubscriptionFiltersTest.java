package dev.outpost.grip.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SubscriptionFiltersTest {

    private static SubscriptionFilters.Result run(
            List<String> filters, Map<String, String> sub, Map<String, String> pub, String content) {
        return SubscriptionFilters.apply(
                filters,
                new SubscriptionFilters.Context(sub, pub, c -> c.equals("b"), Map.of("c1", "7")),
                content.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(SubscriptionFilters.Result r) {
        return r.dropped() ? null : new String(r.content(), StandardCharsets.UTF_8);
    }

    @Test
    void skipSelf() {
        assertThat(run(List.of("skip-self"), Map.of("user", "a"), Map.of("sender", "a"), "x")
                        .reason())
                .isEqualTo("skip-self");
        assertThat(text(run(List.of("skip-self"), Map.of("user", "a"), Map.of("sender", "b"), "x")))
                .isEqualTo("x");
        assertThat(text(run(List.of("skip-self"), Map.of(), Map.of("sender", ""), "x")))
                .isEqualTo("x");
    }

    @Test
    void skipUsers() {
        assertThat(run(List.of("skip-users"), Map.of("user", "a"), Map.of("skip_users", "b, a"), "x")
                        .dropped())
                .isTrue();
        assertThat(run(List.of("skip-users"), Map.of("user", "a"), Map.of("skip_users", "ab"), "x")
                        .dropped())
                .isFalse();
    }

    @Test
    void requireSub() {
        assertThat(run(List.of("require-sub"), Map.of(), Map.of("require_sub", "z"), "x")
                        .dropped())
                .isTrue();
        assertThat(run(List.of("require-sub"), Map.of(), Map.of("require_sub", "b"), "x")
                        .dropped())
                .isFalse();
        assertThat(run(List.of("require-sub"), Map.of(), Map.of(), "x").dropped())
                .isFalse();
    }

    @Test
    void varSubst() {
        assertThat(text(run(List.of("var-subst"), Map.of("n", "Ann"), Map.of(), "hi %(n)s 100%%")))
                .isEqualTo("hi Ann 100%");
        assertThat(run(List.of("var-subst"), Map.of(), Map.of(), "%(nope)s").reason())
                .isEqualTo("var-subst: no such variable 'nope'");
        assertThat(run(List.of("var-subst"), Map.of(), Map.of(), "50%").reason())
                .isEqualTo("var-subst: '%' at the end of the content (expected: %% or %(name)s)");
        assertThat(run(List.of("var-subst"), Map.of(), Map.of(), "%d").reason())
                .isEqualTo("var-subst: unknown directive 'd' (expected: %% or %(name)s)");
    }

    @Test
    void buildId() {
        assertThat(text(run(List.of("build-id"), Map.of("id_format", "c1:%(c1)s"), Map.of(), "id: %I")))
                .isEqualTo("id: c1:7");
        assertThat(text(run(List.of("build-id"), Map.of("id_format", "%(c1)s", "id_encoding", "hex"), Map.of(), "%I")))
                .isEqualTo("37");
        assertThat(run(List.of("build-id"), Map.of(), Map.of(), "%I").reason())
                .isEqualTo("build-id: no sub meta 'id_format'");
    }

    @Test
    void contentFiltersMustMatchTheSubscriptions() {
        assertThat(SubscriptionFilters.contentFiltersMatch(List.of("skip-self", "var-subst"), List.of("var-subst")))
                .isTrue();
        assertThat(SubscriptionFilters.contentFiltersMatch(List.of("skip-self"), List.of("var-subst")))
                .isFalse();
        assertThat(SubscriptionFilters.contentFiltersMatch(List.of("build-id"), List.of()))
                .isTrue();
    }

    @Test
    void unknownFiltersDoNothingAndArbitraryBytesNeverThrow() {
        Random rnd = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[rnd.nextInt(20)];
            rnd.nextBytes(b);
            if (rnd.nextBoolean() && b.length > 0) {
                b[rnd.nextInt(b.length)] = '%';
            }
            SubscriptionFilters.apply(
                    List.of("nope", "var-subst", "build-id"),
                    new SubscriptionFilters.Context(Map.of("id_format", "%(c)s"), Map.of(), null, Map.of("c", "1")),
                    b);
        }
    }
}
