package dev.outpost.edge.server;

/** The end-to-end suite on the GraalWasm engine. */
class GraalWasmEdgeServerTest extends EdgeServerContract {
    @Override
    String engine() {
        return "graalwasm";
    }
}
