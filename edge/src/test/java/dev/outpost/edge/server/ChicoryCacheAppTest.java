package dev.outpost.edge.server;

/** The cache and forwarding suite on the Chicory engine. */
class ChicoryCacheAppTest extends CacheAppContract {
    @Override
    String engine() {
        return "chicory";
    }
}
