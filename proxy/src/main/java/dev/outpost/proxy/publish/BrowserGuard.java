package dev.outpost.proxy.publish;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Refuses publish requests that a web browser sent on a page's behalf (cross-site request forgery, DNS rebinding):
 * any page can make a browser POST {@code text/plain} to {@code 127.0.0.1:5561} without asking first. Browsers mark
 * such requests: every non-GET request carries {@code Origin}, and {@code Sec-Fetch-Site} says where it came from.
 * Publishers (curl, {@code pushpin-publish}, {@code outpost publish}, the GRIP libraries, server-side {@code fetch})
 * send neither, so the rule is: no {@code Origin}, and {@code Sec-Fetch-Site} absent or {@code none} (typed into the
 * address bar). The content type is no help: {@code curl -d} sends a form type, as a page can.
 */
final class BrowserGuard {
    private BrowserGuard() {}

    /** Why the request is refused (the 403 body, without newline), or null when it may publish. */
    static String refusal(HttpHeaders h) {
        String site = h.get("Sec-Fetch-Site");
        if (site != null && !site.strip().equalsIgnoreCase("none")) {
            return because("Sec-Fetch-Site: " + site.strip());
        }
        String origin = h.get("Origin");
        if (origin != null) {
            return because("Origin: " + origin.strip());
        }
        return null;
    }

    private static String because(String header) {
        return "Forbidden: publish requests from web pages are refused (the request carries " + clip(header)
                + ", as a browser sends it). Publish from a backend: curl, outpost publish or a GRIP library.";
    }

    private static String clip(String s) {
        String t = s.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }
}
