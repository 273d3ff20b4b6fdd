/** Subscription filters: pure functions over a published item's content and the two meta maps. */
package dev.outpost.grip.filter;
