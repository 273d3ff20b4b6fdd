package dev.outpost.proxy.hold;

/** The client connection's side of a hold: told once when the hold has written its last byte. */
public interface HoldOwner {

    /**
     * The hold is over and its response fully written (or the write failed).
     *
     * @param keepAlive whether the client connection may carry another request
     */
    void holdFinished(boolean keepAlive);
}
