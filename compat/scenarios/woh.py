"""Scenarios of WebSocket-over-HTTP origins (`woh.*`)."""

import time

from harness.common import ScenarioError
from harness.http import Conn, build_request, read_response
from harness.origin import http_response
from harness.ws import WS_KEY, WsClient
from harness.registry import scenario
from harness.steps import record_woh_events, woh_origin, ws_close, ws_connect


def reply_open(typ, data):
    """The origin's answer to OPEN: OPEN (the connection is accepted)."""
    return [("OPEN", b"")] if typ == "OPEN" else []


@scenario("woh.open-message-publish-close")
def _(c):
    ch = "ws-" + c.name

    def respond(typ, data):
        if typ == "OPEN":
            return [("OPEN", b""), ("TEXT", 'c:{"type": "subscribe", "channel": "%s"}' % ch)]
        if typ == "TEXT":
            return [("TEXT", b"m:echo " + data)]
        if typ == "CLOSE":
            return [("CLOSE", data)]
        return []
    woh_origin(c, respond, headers=[("Sec-WebSocket-Extensions", 'grip; message-prefix="m:"')])
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = ws_connect(c, "woh.test", headers=[("Sec-WebSocket-Protocol", "chat")])
    if ws is None:
        return
    time.sleep(c.args.settle)
    ws.send(1, "hello")
    ws.read_until(lambda f: f[0] == "TEXT" and b"echo" in f[1], 3)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"content": "pushed"}}}])
    ws.read_until(lambda f: f[1] == b"pushed", 3)
    ws_close(c, ws, 1000, "bye")
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:3]):
        c.record_origin("origin[%d]" % i, r)
    record_woh_events(c, reqs, 3)


@scenario("woh.handshake-rejected")
def _(c):
    c.origin.on(c.p(), http_response(403, "Forbidden", headers=[("Content-Type", "text/plain"), ("X-Why", "nope")],
                                     body="go away\n"))
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    r = ws.handshake
    if not r.status or r.status.startswith("101"):
        c.record_response("handshake", r, body=False)
    else:
        ws.shutdown()
        conn = Conn(c.target.proxy_port, 5)  # read again with the body this time
        conn.send(build_request("GET", c.p(), "woh.test", [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                            ("Sec-WebSocket-Key", WS_KEY),
                                                            ("Sec-WebSocket-Version", "13")]))
        c.record_response("handshake", read_response(conn, time.time() + 5))
        conn.close()
    ws.shutdown()


@scenario("woh.meta-binary-ping")
def _(c):
    def respond(typ, data):
        return {"OPEN": [("OPEN", b"")], "BINARY": [("BINARY", data[::-1])], "PING": [("PONG", data)],
                "CLOSE": [("CLOSE", data)]}.get(typ, [])
    woh_origin(c, respond, headers=[("Set-Meta-User", "alice")])
    ws = ws_connect(c, "woh.test")
    if ws is None:
        return
    ws.send(2, b"\x01\x02\x03")
    ws.read_until(lambda f: f[0] == "BINARY", 3)
    ws.send(9, b"p")
    ws.read_until(lambda f: f[0] == "PONG", 3)
    ws_close(c, ws, 1001, "")
    reqs = c.origin.requests(c.p())
    record_woh_events(c, reqs, 4)
    for i, r in enumerate(reqs[:4]):
        c.record("origin[%d].meta-user" % i, r.header("meta-user"))


@scenario("woh.origin-closes")
def _(c):
    def respond(typ, data):
        if typ == "TEXT":
            return [("TEXT", b"m:" + data), ("TEXT", b"no prefix"), ("CLOSE", b"\x0f\xa3origin closes")]
        return reply_open(typ, data)
    woh_origin(c, respond, headers=[("Sec-WebSocket-Extensions", "grip")])
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = ws_connect(c, "woh.test")
    if ws is None:
        return
    ws.send(1, "bye")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.close(4003, "ok")
    time.sleep(c.args.settle)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    record_woh_events(c, reqs, 6)


@scenario("woh.client-disconnects")
def _(c):
    woh_origin(c, reply_open)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = ws_connect(c, "woh.test")
    if ws is None:
        return
    ws.send(1, "last words")
    c.origin.wait(c.p(), base + 2)
    ws.shutdown()
    c.origin.seen(c.p(), 0)
    try:
        c.origin.wait(c.p(), base + 3, 3.0)
    except ScenarioError:
        pass
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    record_woh_events(c, reqs, 6)


@scenario("woh.failover-and-grip-prefix")
def _(c):
    def respond(typ, data):
        if typ == "OPEN":
            return [("OPEN", b""), ("TEXT", b"dropped: no prefix"), ("TEXT", b"p>kept")]
        if typ == "TEXT":
            return [("TEXT", b"p>" + data.upper())]
        if typ == "CLOSE":
            return [("CLOSE", data)]
        return []
    woh_origin(c, respond, headers=[("Sec-WebSocket-Extensions", 'grip; message-prefix="p>"')])
    ws = ws_connect(c, "wohfail.test")
    if ws is None:
        return
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    ws.send(1, "shout")
    ws.read_until(lambda f: f[0] == "TEXT" and f[1] == b"SHOUT", 3)
    ws_close(c, ws, 1000, "")


@scenario("woh.client-sends-events-itself")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="reached\n"))
    r = c.request("POST", host="woh.test", headers=[("Content-Type", "application/websocket-events")],
                  body=b"OPEN\r\n")
    c.record_response("client", r)
    c.record("origin.reached", c.origin.seen(c.p(), 1.0) is not None)
