/** The GRIP protocol as pure values and parsers: no I/O, no threads, no Netty. */
package dev.outpost.grip;
