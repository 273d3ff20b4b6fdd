/** {@code outpost publish}: GRIP URLs, the publish request body, and a one-shot client for the publish endpoint. */
package dev.outpost.cli.publish;
