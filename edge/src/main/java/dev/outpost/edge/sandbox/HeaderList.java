package dev.outpost.edge.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/** HTTP header fields in order; names compared case-insensitively and kept lower-case, values as bytes. */
public final class HeaderList {
    /** One field. */
    public record Field(String name, byte[] value) {
        public String valueString() {
            return new String(value, StandardCharsets.ISO_8859_1);
        }
    }

    private final List<Field> fields = new ArrayList<>();

    public HeaderList copy() {
        HeaderList copy = new HeaderList();
        copy.fields.addAll(fields);
        return copy;
    }

    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Distinct names, in first-appearance order. */
    public List<String> names() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        for (Field f : fields) {
            names.add(f.name());
        }
        return new ArrayList<>(names);
    }

    public List<byte[]> values(String name) {
        String n = normalize(name);
        List<byte[]> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.name().equals(n)) {
                out.add(f.value());
            }
        }
        return out;
    }

    public String first(String name) {
        List<byte[]> values = values(name);
        return values.isEmpty() ? null : new String(values.getFirst(), StandardCharsets.ISO_8859_1);
    }

    /** Replaces every value of {@code name} with {@code value}. */
    public void insert(String name, byte[] value) {
        String n = normalize(name);
        int at = -1;
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equals(n)) {
                at = i;
                break;
            }
        }
        remove(n);
        Field f = new Field(n, value);
        if (at < 0 || at > fields.size()) {
            fields.add(f);
        } else {
            fields.add(at, f);
        }
    }

    public void insert(String name, String value) {
        insert(name, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void append(String name, byte[] value) {
        fields.add(new Field(normalize(name), value));
    }

    public void append(String name, String value) {
        append(name, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Removes every value of {@code name}; false when there was none. */
    public boolean remove(String name) {
        String n = normalize(name);
        return fields.removeIf(f -> f.name().equals(n));
    }

    public List<Field> fields() {
        return List.copyOf(fields);
    }

    public int size() {
        return fields.size();
    }
}
