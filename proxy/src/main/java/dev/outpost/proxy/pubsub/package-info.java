/**
 * Channels and subscribers. {@link dev.outpost.proxy.pubsub.ChannelHub} is the seam for an external bus;
 * {@link dev.outpost.proxy.pubsub.LocalChannelHub} is the in-process implementation, which encodes each item once per
 * format and hands every subscriber a retained duplicate on the subscriber's own event loop.
 */
package dev.outpost.proxy.pubsub;
