/** The {@code Grip-Sig} request signature (HS256 JWT) and signing key syntax. */
package dev.outpost.grip.sig;
