package dev.outpost.grip.publish;

import java.util.List;

/** Parses the body of {@code POST /publish}. */
public final class PublishParser {
    private PublishParser() {
    }

    public static List<PublishItem> parse(byte[] body) throws PublishFormatException {
        throw new PublishFormatException("Invalid format: not implemented");
    }
}
