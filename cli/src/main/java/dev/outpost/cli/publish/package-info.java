/**
 * {@code outpost publish}: its options as one publish item. The GRIP URL, the JSON and the client are the kit's
 * ({@code dev.outpost.grip.client}, {@code dev.outpost.grip.publish}).
 */
package dev.outpost.cli.publish;
