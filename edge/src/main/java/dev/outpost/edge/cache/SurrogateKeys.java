package dev.outpost.edge.cache;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/** Surrogate keys: the tags a purge selects objects by. */
public final class SurrogateKeys {
    /** Fastly's limits: 1 KiB per key, 16 KiB for all of them with their separators. */
    public static final int MAX_KEY = 1024;

    public static final int MAX_TOTAL = 16 * 1024;

    private SurrogateKeys() {}

    /**
     * Parses keys separated by spaces.
     *
     * @throws IllegalArgumentException naming the offending key when one is too long or not visible ASCII
     */
    public static Set<String> parse(String spaced) {
        if (spaced.length() > MAX_TOTAL) {
            throw new IllegalArgumentException(
                    "surrogate keys: " + spaced.length() + " characters (expected: at most " + MAX_TOTAL + ")");
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String key : spaced.split(" ")) {
            if (!key.isEmpty()) {
                keys.add(validate(key));
            }
        }
        return Collections.unmodifiableSet(keys);
    }

    /**
     * Checks one key.
     *
     * @throws IllegalArgumentException when it is empty, too long or not visible ASCII
     */
    public static String validate(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY) {
            throw new IllegalArgumentException(
                    "surrogate key of " + key.length() + " characters (expected: 1 to " + MAX_KEY + ")");
        }
        if (!key.chars().allMatch(c -> c > 32 && c < 127)) {
            throw new IllegalArgumentException(
                    "surrogate key '" + key + "' (expected: visible ASCII characters only, no spaces)");
        }
        return key;
    }
}
