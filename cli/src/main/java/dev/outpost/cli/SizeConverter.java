package dev.outpost.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A size option: a number of bytes, or a number with {@code KiB}, {@code MiB} or {@code GiB} (or K, M, G). */
final class SizeConverter implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {
            {"kib", "1024"},
            {"mib", "1048576"},
            {"gib", "1073741824"},
            {"k", "1024"},
            {"m", "1048576"},
            {"g", "1073741824"},
            {"b", "1"}
        }) {
            if (v.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                v = v.substring(0, v.length() - suffix[0].length()).strip();
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new TypeConversionException(
                    "'" + value + "' is not a size (expected: bytes, or a number with KiB, MiB or GiB, e.g. 512MiB)");
        }
    }
}
