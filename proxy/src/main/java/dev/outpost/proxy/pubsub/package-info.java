/**
 * Channels and subscribers. {@link dev.outpost.proxy.pubsub.ChannelHub} is the seam for an external bus;
 * {@link dev.outpost.proxy.pubsub.LocalChannelHub} is the in-process implementation: it de-duplicates IDs, orders items
 * by {@code prev-id}, tracks each channel's last ID, paces deliveries ({@code message_rate}/{@code message_hwm}),
 * encodes each item once per format and hands every subscriber a retained duplicate on the subscriber's own event
 * loop. {@link dev.outpost.proxy.pubsub.Subscriber#receive} runs the subscription's filters there;
 * {@link dev.outpost.proxy.pubsub.Drops} counts and logs every message a limit drops.
 */
package dev.outpost.proxy.pubsub;
