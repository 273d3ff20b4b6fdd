package dev.outpost.edge.sandbox;

/** A request handle's head: method, URI, version, headers and send options. */
public final class RequestState {
    public String method = "GET";
    public String uri = "";
    public int version = HttpVersion.HTTP_11;
    public HeaderList headers = new HeaderList();
    /** {@code content_encodings} flags: bit 0 = gzip. */
    public int autoDecompress;

    public boolean manualFraming;
    /** How the readthrough cache treats this request's response. */
    public CacheOverride cacheOverride = CacheOverride.NONE;
}
