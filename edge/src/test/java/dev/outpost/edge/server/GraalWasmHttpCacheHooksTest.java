package dev.outpost.edge.server;

/** The HTTP cache hooks suite on the GraalWasm engine. */
class GraalWasmHttpCacheHooksTest extends HttpCacheHooksContract {
    @Override
    String engine() {
        return "graalwasm";
    }
}
