/**
 * The GRIP protocol as pure values and parsers (no I/O, no threads, no Netty) in {@code instruct}, {@code publish},
 * {@code wsovh}, {@code control}, {@code sig} and {@code filter}; helpers for GRIP origins in {@code origin} (pure
 * too); and the publisher in {@code client}, the one package that does I/O.
 */
package dev.outpost.grip;
