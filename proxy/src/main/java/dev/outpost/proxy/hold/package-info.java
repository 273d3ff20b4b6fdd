/**
 * Held requests: {@link dev.outpost.proxy.hold.ResponseHold} (long-poll) and {@link dev.outpost.proxy.hold.StreamHold}
 * (streaming, keep-alives, a queue of at most 100 items while the client socket is full). Each runs on its client's
 * event loop and lets go of its subscriptions and timers as soon as the client leaves. A stream follows its own next
 * links ({@link dev.outpost.proxy.hold.NextLinks}) and a hold posts its gone link when the client leaves; both are
 * sent through the session's {@link dev.outpost.proxy.hold.LinkSender}.
 */
package dev.outpost.proxy.hold;
