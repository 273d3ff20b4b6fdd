package dev.outpost.proxy.route;

/** Route condition {@code proto=http|ws}. */
public enum Proto {
    HTTP,
    WS
}
