/**
 * The local Compute server: runs Fastly Compute Wasm programs (as built by {@code @fastly/js-compute}) in the JVM,
 * with the Fastly hostcalls implemented in Java, and serves them over HTTP as Viceroy does.
 *
 * <h2>Codemap</h2>
 * <ul>
 *   <li>{@code server}: {@link dev.outpost.edge.server.EdgeServer} (Netty HTTP, one guest run per request),
 *       {@link dev.outpost.edge.server.EdgeConfig}, {@link dev.outpost.edge.server.EdgeProject} (a project folder),
 *       {@link dev.outpost.edge.server.EdgeRunner} ({@code _start} once), {@code ComputeApp} (one loaded program),
 *       {@code Handoffs} and {@code HandoffRelay} (Fanout handoff to the GRIP proxy on
 *       {@link dev.outpost.edge.server.EdgeConfig#handoffPort()}, WebSocket passthrough to a backend),
 *       {@code WarmUp} (made-up requests while the server is idle, so the JIT warms up before the first real
 *       ones).</li>
 *   <li>{@code engine}: the {@link dev.outpost.edge.engine.WasmEngine} seam and its two implementations, GraalWasm
 *       (default) and Chicory.
 *       {@code InstancePool} prepares the next request's fresh instance ahead of time, and resets a finished
 *       GraalWasm instance to a new one's state for a later request, dropping those a burst left idle (ADR 0011);
 *       {@code DataSegments}
 *       merges a snapshot's many small data segments before the module is loaded; {@code ModuleSplit} parts a JS
 *       app into its code (the same for every app and rebuild of one js-compute version, so GraalWasm parses and
 *       compiles it once) and its initial memory; {@link dev.outpost.edge.engine.WasmEngineProvider} lets another
 *       engine plug in from the class path (the benchmarks' wasmtime reference).</li>
 *   <li>{@code abi}: what hostcalls see of a guest: {@link dev.outpost.edge.abi.GuestMemory}, raw arguments,
 *       {@link dev.outpost.edge.abi.FastlyStatus}, {@link dev.outpost.edge.abi.HostcallException},
 *       {@link dev.outpost.edge.abi.HandleTable}.</li>
 *   <li>{@code hostcalls}: one class per {@code fastly_*} module plus WASI, bound per request by
 *       {@code HostcallTable}; {@code ComputeAbi} lists every function of the ABI (from Viceroy's witx), and a
 *       program importing anything else is refused when it is loaded (docs/edge-abi.md).</li>
 *   <li>{@code sandbox}: per-request host state ({@code Sandbox}, bodies, requests, responses), what an app's
 *       requests share ({@code EdgeServices}: stores, rate limits, backend client, cache), and the turns on the CPU
 *       ({@code GuestCpu}, docs/adr/0012).</li>
 *   <li>{@code config}: {@code fastly.toml} ({@link dev.outpost.edge.config.FastlyTomlParser}), including the
 *       CLI's {@code [local_server.pushpin]} ({@link dev.outpost.edge.config.PushpinConfig}) and the proxy routes
 *       generated from the backends ({@link dev.outpost.edge.config.PushpinRoutes}).</li>
 *   <li>{@code backend}: the Netty client for backend requests: pooled keep-alive connections
 *       and {@code max_connections} ({@code BackendPool}), opened through the {@code origin} module's connector
 *       (Netty's DNS resolver, one TLS context per distinct setting) with each backend's endpoint, TLS settings and
 *       SNI ({@code BackendTarget}), timeouts and send errors ({@code ResponseHandler}, {@code Failures}).</li>
 *   <li>{@code cache}: the app's cache, one bounded in-memory store behind {@code fastly_cache},
 *       {@code fastly_http_cache}, {@code fastly_purge} and the readthrough cache of {@code send}
 *       ({@link dev.outpost.edge.cache.CacheStore}, {@link dev.outpost.edge.cache.Readthrough}); it outlives program
 *       reloads.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>Hostcalls never see engine types: only {@code GuestMemory} and {@code long[]} arguments.</li>
 *   <li>Status codes are made in one place, {@code HostcallTable}; hostcall bodies throw
 *       {@code HostcallException}.</li>
 *   <li>At most {@code --max-guests} guests run at once ({@code GuestLimiter}), and of those at most
 *       {@code --guest-cpus} are on the CPU ({@code sandbox.GuestCpu}): a hostcall that waits (for a backend, a
 *       body, a cache entry, a sleep) gives its run's turn up while it waits. A request body is read from the
 *       client only as fast as it is consumed, and a body nobody reads is dropped when its run ends.</li>
 *   <li>A module is loaded once per app; every request gets a fresh instance (new, or reset to a new one's state)
 *       and sandbox (unless the guest asks to be reused with {@code next_request}).</li>
 *   <li>A body is ended by its writer: the guest for bodies it made, the host for the client request and backend
 *       responses.</li>
 *   <li>Guests run on guest threads, never on an event loop: a handed-off request can come back to this server
 *       (backend {@code self}) and run the guest again while the first run is still going.</li>
 *   <li>A handoff forwards the client's original body (kept aside while it arrives, dropped once the guest answers
 *       itself) and the protected headers of the original request; the target connection shares the client's event
 *       loop, and after a {@code 101} both become a plain byte pipe.</li>
 * </ul>
 */
package dev.outpost.edge;
