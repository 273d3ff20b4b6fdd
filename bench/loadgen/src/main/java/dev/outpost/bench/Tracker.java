package dev.outpost.bench;

/** Receives every message a subscriber sees; called on event-loop threads. */
interface Tracker {
    void received(int conn, long id, long nanos);

    Tracker NONE = (conn, id, nanos) -> {};
}
