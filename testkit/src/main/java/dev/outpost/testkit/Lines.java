package dev.outpost.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Line reads for a test's blocking readers (in a future or on a thread of their own). */
public final class Lines {
    private Lines() {}

    /** A UTF-8 line reader over a response body. */
    public static BufferedReader reader(InputStream body) {
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next line that is not empty (server-sent events are separated by empty lines). */
    public static String nonEmptyLine(BufferedReader in) {
        String l;
        do {
            l = readLine(in);
        } while (l.isEmpty());
        return l;
    }

    /** The next line; an {@link IllegalStateException} when the stream ended, unchecked when reading failed. */
    public static String readLine(BufferedReader in) {
        try {
            String l = in.readLine();
            if (l == null) {
                throw new IllegalStateException("stream ended");
            }
            return l;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
