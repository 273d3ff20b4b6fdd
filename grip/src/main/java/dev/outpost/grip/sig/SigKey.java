package dev.outpost.grip.sig;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** Signing keys as Pushpin's configuration writes them: plain text, or {@code base64:} followed by Base64. */
public final class SigKey {
    private static final String BASE64_PREFIX = "base64:";

    private SigKey() {}

    /**
     * Returns the key bytes.
     *
     * @throws IllegalArgumentException when a {@code base64:} key is not valid Base64
     */
    public static byte[] parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        if (spec.startsWith(BASE64_PREFIX)) {
            String b64 = spec.substring(BASE64_PREFIX.length()).trim();
            try {
                return Base64.getDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sig key: " + spec + " (expected: base64:<valid Base64>)", e);
            }
        }
        return spec.getBytes(StandardCharsets.UTF_8);
    }
}
