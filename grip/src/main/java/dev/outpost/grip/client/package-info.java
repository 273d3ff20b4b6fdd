/**
 * The publisher: {@link dev.outpost.grip.client.GripPublisher} sends items to a GRIP proxy's publish API. The one
 * part of {@code grip} that does I/O (over Netty); the protocol packages beside it stay pure values and codecs.
 */
package dev.outpost.grip.client;
