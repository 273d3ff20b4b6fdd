package dev.outpost.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Line reads for a test's blocking readers (in a future or on a thread of their own). */
public final class Lines {
    private Lines() {}

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
