/** Helpers shared by the grip packages. Not API: may change without notice. */
package dev.outpost.grip.internal;
