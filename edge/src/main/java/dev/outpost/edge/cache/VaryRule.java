package dev.outpost.edge.cache;

import dev.outpost.edge.sandbox.HeaderList;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The request headers a cached object varies on: lower-case names, sorted, without duplicates. Two requests see the
 * same variant when they carry the same values for all of them.
 */
public record VaryRule(List<String> headers) {
    public static final VaryRule NONE = new VaryRule(List.of());

    public VaryRule {
        headers = List.copyOf(new TreeSet<>(headers));
    }

    /**
     * Parses a list of header names separated by spaces (the ABI's form) or commas (a {@code Vary} header).
     *
     * @throws IllegalArgumentException when a name is not an HTTP token
     */
    public static VaryRule parse(String names) {
        TreeSet<String> out = new TreeSet<>();
        for (String name : names.split("[ ,\t]+")) {
            if (name.isEmpty()) {
                continue;
            }
            if (!name.chars().allMatch(VaryRule::tokenChar)) {
                throw new IllegalArgumentException("vary rule: header name '" + name + "' (expected: an HTTP token)");
            }
            out.add(name.toLowerCase(Locale.ROOT));
        }
        return new VaryRule(List.copyOf(out));
    }

    private static boolean tokenChar(int c) {
        return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** The variant {@code requestHeaders} select: each header's values, length-prefixed so no two collide. */
    public Variant variant(HeaderList requestHeaders) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : headers) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            out.writeBytes(("[" + n.length + "]").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(n);
            List<byte[]> values = requestHeaders.values(name);
            out.writeBytes(("{" + values.size() + "}").getBytes(StandardCharsets.US_ASCII));
            for (byte[] v : values) {
                out.writeBytes(("[" + v.length + "]").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(v);
            }
        }
        return new Variant(out.toByteArray());
    }

    /** The names separated by spaces, as the ABI returns them. */
    public String spaced() {
        return String.join(" ", headers);
    }

    /** One variant of a key: the values of the vary rule's headers. */
    public static final class Variant {
        private final byte[] signature;

        Variant(byte[] signature) {
            this.signature = signature;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Variant v && Arrays.equals(v.signature, signature);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(signature);
        }
    }
}
