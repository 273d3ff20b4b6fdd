package dev.outpost.edge.sandbox;

/** The ABI's {@code http_version} codes. */
public final class HttpVersion {
    public static final int HTTP_09 = 0;
    public static final int HTTP_10 = 1;
    public static final int HTTP_11 = 2;
    public static final int H2 = 3;
    public static final int H3 = 4;

    private HttpVersion() {}

    public static boolean valid(int version) {
        return version >= HTTP_09 && version <= H3;
    }
}
