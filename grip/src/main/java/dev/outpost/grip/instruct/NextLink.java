package dev.outpost.grip.instruct;

import java.util.Objects;

/**
 * {@code Grip-Link: <uri>; rel=next}: where to continue the response.
 *
 * @param uri            the link as given by the origin; may be relative to the request URI
 * @param timeoutSeconds re-fetch the link when subscribed channels are silent this long
 */
public record NextLink(String uri, int timeoutSeconds) {
    public static final int DEFAULT_TIMEOUT = 120;

    public NextLink {
        Objects.requireNonNull(uri, "uri");
    }
}
