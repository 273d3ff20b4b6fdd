package dev.outpost.proxy.hold;

import dev.outpost.origin.OriginClient;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.net.URI;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hold's {@code Grip-Link rel=gone}: an empty POST, best effort and once, when the client goes away (Pushpin's
 * HTTP session sends it). A fetched next link's instructions may name a new one.
 */
final class GoneLink {
    private static final Logger log = LoggerFactory.getLogger(GoneLink.class);

    private final LinkSender sender;
    private String link;

    /** {@code link} as the origin gave it (null: none), sent through {@code sender} (null: links can't be sent). */
    GoneLink(LinkSender sender, String link) {
        this.sender = sender;
        this.link = link;
    }

    /** A newer instruction named {@code next} (null keeps the current one). */
    void replace(String next) {
        if (next != null) {
            link = next;
        }
    }

    /** Posts the link, resolved against {@code base}; afterwards there is none. */
    void send(URI base) {
        String gone = link;
        link = null;
        URI u = gone == null || sender == null ? null : NextLinks.resolve(base, gone);
        if (u == null) {
            return;
        }
        log.debug("gone link {}", u);
        try {
            sender.send(HttpMethod.POST, u, Map.of(), new OriginClient.Callback() {
                @Override
                public void response(HttpResponse head, byte[] body) {}

                @Override
                public void failed(String why) {
                    log.debug("gone link {} failed: {}", u, why);
                }
            });
        } catch (IllegalArgumentException e) {
            log.debug("gone link {} can't be sent: {}", u, e.getMessage());
        }
    }
}
