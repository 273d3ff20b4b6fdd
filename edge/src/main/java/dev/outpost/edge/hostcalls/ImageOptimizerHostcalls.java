package dev.outpost.edge.hostcalls;

/** {@code fastly_image_optimizer}: Fastly's image service, which exists only in its network (Viceroy lacks it too). */
final class ImageOptimizerHostcalls {
    void register(HostcallTable t) {
        t.unsupported(
                "fastly_image_optimizer",
                "transform_image_optimizer_request",
                "Fastly's Image Optimizer runs only in its network");
    }
}
