/**
 * Tnetstrings (the encoding of Pushpin's ZeroMQ sockets) and the messages of its ZeroMQ publish inputs: pure functions
 * of bytes, no I/O.
 */
package dev.outpost.grip.tnet;
