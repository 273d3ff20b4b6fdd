package dev.outpost.grip.instruct;

/** When keep-alive filler is sent. */
public enum KeepAliveMode {
    /** After the stream has been silent for the timeout; every write resets the timer. */
    IDLE,
    /** Every timeout period regardless of other output. */
    INTERVAL
}
