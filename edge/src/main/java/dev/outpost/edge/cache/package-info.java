/**
 * The edge's cache, as Fastly Compute has it: one bounded in-memory store per served app, shared by all its requests
 * and reached three ways.
 *
 * <ul>
 *   <li>The core cache ({@code fastly_cache}, and the simple cache the SDKs build on it): keys, streaming inserts,
 *       transactions with request collapsing, stale-while-revalidate, vary, user metadata, surrogate keys.</li>
 *   <li>The HTTP cache ({@code fastly_http_cache}): the same store holding HTTP responses, with the HTTP semantics of
 *       {@link dev.outpost.edge.cache.HttpCachePolicy} (RFC 9111 and Fastly's headers).</li>
 *   <li>The readthrough cache ({@link dev.outpost.edge.cache.Readthrough}): what production does for a backend
 *       request sent with {@code send}/{@code send_async}, steered by the request's {@code CacheOverride}.</li>
 * </ul>
 *
 * <p>{@link dev.outpost.edge.cache.CacheStore} holds the objects: per key, the variants its vary rules select, each
 * with at most one outstanding {@link dev.outpost.edge.cache.Obligation} (the one client collapsed requests wait for).
 * An object's body is a {@link dev.outpost.edge.cache.CollectedBody}: readable while it is still being written.
 * Memory is bounded by a byte cap with least-recently-used eviction. Nothing here knows Wasm: the hostcall classes in
 * {@code dev.outpost.edge.hostcalls} translate.
 */
package dev.outpost.edge.cache;
