/**
 * Channels and subscribers. {@link dev.outpost.proxy.pubsub.ChannelHub} is the seam a bus implements (ADR 0006);
 * {@link dev.outpost.proxy.pubsub.LocalChannelHub} is the in-process hub, composed of parts any hub can reuse: the
 * {@link dev.outpost.proxy.pubsub.SubscriberRegistry} of local subscribers, the
 * {@link dev.outpost.proxy.pubsub.Sequencer} (ID de-duplication, {@code prev-id} order, last IDs) and the
 * {@link dev.outpost.proxy.pubsub.Pacer} ({@code message_rate}/{@code message_hwm}), both values without threads or
 * clocks, and {@link dev.outpost.proxy.pubsub.FanOut}, which hands each item to each subscriber's own event loop as
 * a {@link dev.outpost.proxy.pubsub.Delivery} through {@link dev.outpost.proxy.pubsub.Subscriber#deliver}. Sessions
 * run their subscription filters with {@link dev.outpost.proxy.pubsub.DeliveryFilter};
 * {@link dev.outpost.proxy.pubsub.Drops} counts and logs every message a limit drops.
 */
package dev.outpost.proxy.pubsub;
