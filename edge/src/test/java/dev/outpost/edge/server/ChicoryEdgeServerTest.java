package dev.outpost.edge.server;

/** The end-to-end suite on the Chicory engine. */
class ChicoryEdgeServerTest extends EdgeServerContract {
    @Override
    String engine() {
        return "chicory";
    }
}
