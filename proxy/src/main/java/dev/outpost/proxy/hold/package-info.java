/**
 * Held requests: {@link dev.outpost.proxy.hold.ResponseHold} (long-poll) and {@link dev.outpost.proxy.hold.StreamHold}
 * (streaming, keep-alives, a queue of at most 100 items while the client socket is full). Each runs on its client's
 * event loop and lets go of its subscriptions and timers as soon as the client leaves.
 */
package dev.outpost.proxy.hold;
