package dev.outpost.proxy.server;

import java.util.Optional;

/**
 * A listener could not bind. The message is for users: which listener, the address, why, and who holds the port when
 * that can be told ({@link PortHolder}); the command that gave the address adds the option that moves it.
 */
public final class ListenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String listener;
    private final String host;
    private final int port;
    private final boolean inUse;
    private final String holder;

    /**
     * @param listener what listens there, e.g. "publish port"
     * @param cause the transport's exception (kept for the debug log, never shown)
     */
    public ListenException(String listener, String host, int port, Throwable cause) {
        this(
                listener,
                host,
                port,
                cause,
                PortHolder.inUse(cause) ? PortHolder.describe(port).orElse(null) : null);
    }

    private ListenException(String listener, String host, int port, Throwable cause, String holder) {
        super(
                "cannot listen on " + hostPort(host, port) + " (" + listener + "): " + PortHolder.bindReason(cause)
                        + (holder != null ? ", held by " + holder : ""),
                cause);
        this.listener = listener;
        this.host = host;
        this.port = port;
        this.inUse = PortHolder.inUse(cause);
        this.holder = holder;
    }

    private static String hostPort(String host, int port) {
        String h = host == null || host.isEmpty() ? "0.0.0.0" : host;
        return (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
    }

    /** What listens there, e.g. "publish port". */
    public String listener() {
        return listener;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** Who holds the port, e.g. "outpost proxy (pid 12)", when that could be told. */
    public Optional<String> holder() {
        return Optional.ofNullable(holder);
    }

    /** True when another socket holds the address (as opposed to a bad address or missing privileges). */
    public boolean inUse() {
        return inUse;
    }
}
