/**
 * GRIP instructions from an origin response: the {@code Grip-*} headers and {@code application/grip-instruct}
 * bodies, read by {@link dev.outpost.grip.instruct.GripInstructParser} into one
 * {@link dev.outpost.grip.instruct.GripInstruct}.
 */
package dev.outpost.grip.instruct;
