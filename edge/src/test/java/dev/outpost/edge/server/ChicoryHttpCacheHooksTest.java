package dev.outpost.edge.server;

/** The HTTP cache hooks suite on the Chicory engine. */
class ChicoryHttpCacheHooksTest extends HttpCacheHooksContract {
    @Override
    String engine() {
        return "chicory";
    }
}
