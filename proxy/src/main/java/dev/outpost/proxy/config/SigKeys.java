package dev.outpost.proxy.config;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Pushpin's key syntax for {@code sig_key}: plain text, or {@code base64:} followed by Base64 (standard or URL alphabet). */
public final class SigKeys {
    private SigKeys() {}

    /**
     * Returns the key bytes, or null for an empty spec (no signing).
     *
     * @throws IllegalArgumentException with the expectation (no key material in the message)
     */
    public static byte[] parse(String spec) {
        if (spec == null || spec.isEmpty()) {
            return null;
        }
        if (spec.startsWith("file:")) {
            // Pushpin reads a PEM key (ES256/RS256) from the file; only shared secrets are supported here
            throw new IllegalArgumentException(
                    "expected: a shared secret as plain text or base64:...; file: (PEM) keys are not supported");
        }
        if (!spec.startsWith("base64:")) {
            return spec.getBytes(StandardCharsets.UTF_8);
        }
        String b64 = spec.substring("base64:".length()).strip();
        if (b64.isEmpty()) {
            throw new IllegalArgumentException("expected: base64: followed by a non-empty Base64 value");
        }
        try {
            if (b64.indexOf('-') >= 0 || b64.indexOf('_') >= 0) {
                return Base64.getUrlDecoder().decode(b64);
            }
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected: base64: followed by valid Base64 (" + e.getMessage() + ")");
        }
    }
}
