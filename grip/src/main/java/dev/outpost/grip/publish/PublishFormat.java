package dev.outpost.grip.publish;

import java.util.List;

/** One transport's rendering of a published item. */
public sealed interface PublishFormat permits HttpResponseFormat, HttpStreamFormat, WsMessageFormat {
    PublishAction action();

    /** Content-modifying filters the content was prepared for; must match the subscription's. */
    List<String> contentFilters();
}
