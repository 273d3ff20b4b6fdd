/**
 * Many proxy nodes on one bus, and Pushpin's ZeroMQ inputs (issue #14): {@link dev.outpost.bus.OutpostNode} assembles a
 * proxy with a {@link dev.outpost.bus.redis.RedisChannelHub} when {@code bus} is set and with
 * {@link dev.outpost.bus.zmq.ZmqInputs} when {@code push_in_spec}, {@code push_in_sub_specs} or {@code command_spec}
 * is; without them a node is the proxy alone.
 */
package dev.outpost.bus;
