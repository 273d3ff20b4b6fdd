package dev.outpost.grip.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.outpost.grip.filter.SubscriptionFilters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Subscription filters over published content: a result (kept or dropped with a reason), never an exception, and
 * content changed only by the content filters.
 */
class FilterFuzzTest {
    private static final String[] NAMES = {"skip-self", "skip-users", "require-sub", "var-subst", "build-id", "x"};
    private static final String[] META = {"user", "sender", "skip_users", "require_sub", "id_format", "id_encoding"};

    @FuzzTest(maxDuration = "5m")
    void filters(FuzzedDataProvider in) {
        List<String> filters = new ArrayList<>();
        int n = in.consumeInt(0, SubscriptionFilters.MAX_PER_CHANNEL);
        for (int i = 0; i < n; i++) {
            filters.add(in.pickValue(NAMES));
        }
        Map<String, String> sub = meta(in);
        Map<String, String> pub = meta(in);
        Map<String, String> lastIds = meta(in);
        byte[] content = in.consumeRemainingAsBytes();
        SubscriptionFilters.Result r = SubscriptionFilters.apply(
                filters, new SubscriptionFilters.Context(sub, pub, pub::containsKey, lastIds), content);
        if (r.dropped()) {
            assertThat(r.reason()).isNotBlank();
        } else if (filters.stream().noneMatch(f -> f.equals("var-subst") || f.equals("build-id"))) {
            // only the content filters change the content
            assertThat(r.content()).isEqualTo(content);
        }
    }

    private static Map<String, String> meta(FuzzedDataProvider in) {
        Map<String, String> m = new LinkedHashMap<>();
        int n = in.consumeInt(0, 3);
        for (int i = 0; i < n; i++) {
            m.put(in.consumeBoolean() ? in.pickValue(META) : in.consumeString(8), in.consumeString(16));
        }
        return m;
    }
}
