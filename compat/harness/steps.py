"""Steps several areas' scenarios share: origins that hold, publishing to a held client, WebSocket sessions."""

from .origin import http_response
from .registry import LP_HEADERS, stream_item
from .ws import WsClient, woh_encode, woh_events, woh_text


def lp_origin(c, channel, extra=(), body="timeout\n", code=200, reason=None):
    """The origin answers the scenario's path with a response (long-poll) hold on `channel`."""
    c.origin.on(c.p(), http_response(code, reason, headers=LP_HEADERS + [("Grip-Channel", channel)] + list(extra),
                                     body=body))


def stream_origin(c, channel, path=None, body="first\n", extra=(), content_type="text/plain"):
    """The origin answers `path` (default: the scenario's own) with a stream hold on `channel`."""
    c.origin.on(path or c.p(), http_response(200, headers=[("Content-Type", content_type), ("Grip-Hold", "stream"),
                                                          ("Grip-Channel", channel)] + list(extra), body=body))


def held_then_published(c, items, **start):
    """The client's request (`c.start(**start)`) held, then `items` published; records what the client got."""
    h = c.start(**start)
    c.hold_ready()
    c.publish_ok(items)
    c.record_response("client", h.result())
    return h


def publish_seen(c, h, item, expect, timeout=3):
    """Publishes `item` and waits (at most `timeout` seconds) until the held client's body holds `expect`."""
    c.publish_ok([item])
    return h.wait_body(expect, timeout)


def close_stream(c, h, channel, **fields):
    """Publishes the close of `channel`'s streams (with further item `fields`); records what the client got."""
    c.publish_ok([dict(stream_item(channel, action="close"), **fields)])
    c.record_response("client", h.result())


def ws_connect(c, host, headers=(), tls=False):
    """A WebSocket client through the proxy to the scenario's path (over TLS to the profile's https port with
    `tls`); records the handshake. None (and the connection shut) when the proxy did not upgrade it."""
    port = c.target.https_port if tls else c.target.proxy_port
    ws = WsClient(port, c.p(), host, headers=headers, tls=tls)
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return None
    return ws


def ws_close(c, ws, code, reason):
    """Closes from the client's side, waits for the close frame back, then records the frames the client got."""
    ws.close(code, reason)
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())


def woh_origin(c, respond, headers=()):
    """The origin answers WebSocket-over-HTTP requests on the scenario's path: `respond(type, data)` gives the events
    that answer each event received; `headers` go after the content type."""
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            reply += respond(typ, data)
        return http_response(200, headers=[("Content-Type", "application/websocket-events")] + list(headers),
                             body=woh_encode(reply))
    c.origin.on(c.p(), answer)


def record_woh_events(c, reqs, n):
    """The events of the first `n` WebSocket-over-HTTP requests the origin received."""
    for i, r in enumerate(reqs[:n]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


def text_plain(code, body="", headers=(), reason=None):
    """An origin's answer with Content-Type text/plain, then `headers`."""
    return http_response(code, reason, headers=[("Content-Type", "text/plain")] + list(headers), body=body)


def answered(c, answer, **request):
    """The origin answers the scenario's path with `answer` (bytes, or a function of the request); records the
    client's response to `c.request(**request)` and returns it."""
    c.origin.on(c.p(), answer)
    r = c.request(**request)
    c.record_response("client", r)
    return r
