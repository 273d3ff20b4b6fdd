/** Published items and their per-transport formats, read from the publish API body by {@link dev.outpost.grip.publish.PublishParser}. */
package dev.outpost.grip.publish;
