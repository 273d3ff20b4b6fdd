/**
 * The GRIP proxy. {@link dev.outpost.proxy.OutpostProxy} is the running instance: a client listener that routes
 * requests to origins and holds them when the origin answers with GRIP instructions, and a publish listener whose
 * items reach the held requests through a {@link dev.outpost.proxy.pubsub.ChannelHub}.
 */
package dev.outpost.proxy;
