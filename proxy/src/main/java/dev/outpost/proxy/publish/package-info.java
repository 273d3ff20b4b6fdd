/**
 * The publish API on its own port, answering as Pushpin's handler does ({@code POST /publish}, {@code GET /}), with
 * the body limit enforced while reading and connections kept alive.
 */
package dev.outpost.proxy.publish;
