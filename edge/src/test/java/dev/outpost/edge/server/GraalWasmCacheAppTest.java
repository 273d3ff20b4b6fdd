package dev.outpost.edge.server;

/** The cache and forwarding suite on the GraalWasm engine. */
class GraalWasmCacheAppTest extends CacheAppContract {
    @Override
    String engine() {
        return "graalwasm";
    }
}
