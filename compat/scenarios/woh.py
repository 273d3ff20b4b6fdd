"""Scenarios of WebSocket-over-HTTP origins (`woh.*`)."""

import time

from harness.common import ScenarioError
from harness.http import Conn, build_request, read_response
from harness.origin import http_response
from harness.ws import WS_KEY, WsClient, woh_encode, woh_events, woh_text
from harness.registry import scenario


@scenario("woh.open-message-publish-close")
def _(c):
    ch = "ws-" + c.name

    def answer(req):
        evs = woh_events(req.body)
        reply = []
        for typ, data in evs:
            if typ == "OPEN":
                reply += [("OPEN", b""), ("TEXT", 'c:{"type": "subscribe", "channel": "%s"}' % ch)]
            elif typ == "TEXT":
                reply.append(("TEXT", b"m:echo " + data))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", 'grip; message-prefix="m:"')],
                             body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test", headers=[("Sec-WebSocket-Protocol", "chat")])
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    time.sleep(c.args.settle)
    ws.send(1, "hello")
    ws.read_until(lambda f: f[0] == "TEXT" and b"echo" in f[1], 3)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"content": "pushed"}}}])
    ws.read_until(lambda f: f[1] == b"pushed", 3)
    ws.close(1000, "bye")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:3]):
        c.record_origin("origin[%d]" % i, r)
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


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
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply.append(("OPEN", b""))
            elif typ == "BINARY":
                reply.append(("BINARY", data[::-1]))
            elif typ == "PING":
                reply.append(("PONG", data))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Set-Meta-User", "alice")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(2, b"\x01\x02\x03")
    ws.read_until(lambda f: f[0] == "BINARY", 3)
    ws.send(9, b"p")
    ws.read_until(lambda f: f[0] == "PONG", 3)
    ws.close(1001, "")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())
    for i, r in enumerate(reqs[:4]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))
        c.record("origin[%d].meta-user" % i, r.header("meta-user"))


@scenario("woh.origin-closes")
def _(c):
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply.append(("OPEN", b""))
            elif typ == "TEXT":
                reply += [("TEXT", b"m:" + data), ("TEXT", b"no prefix"), ("CLOSE", b"\x0f\xa3origin closes")]
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", "grip")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(1, "bye")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.close(4003, "ok")
    time.sleep(c.args.settle)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:6]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


@scenario("woh.client-disconnects")
def _(c):
    def answer(req):
        reply = [("OPEN", b"")] if any(t == "OPEN" for t, _ in woh_events(req.body)) else []
        return http_response(200, headers=[("Content-Type", "application/websocket-events")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
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
    for i, r in enumerate(reqs[:6]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


@scenario("woh.failover-and-grip-prefix")
def _(c):
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply += [("OPEN", b""), ("TEXT", b"dropped: no prefix"), ("TEXT", b"p>kept")]
            elif typ == "TEXT":
                reply.append(("TEXT", b"p>" + data.upper()))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", 'grip; message-prefix="p>"')],
                             body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    ws = WsClient(c.target.proxy_port, c.p(), "wohfail.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    ws.send(1, "shout")
    ws.read_until(lambda f: f[0] == "TEXT" and f[1] == b"SHOUT", 3)
    ws.close(1000, "")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())


@scenario("woh.client-sends-events-itself")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="reached\n"))
    r = c.request("POST", host="woh.test", headers=[("Content-Type", "application/websocket-events")],
                  body=b"OPEN\r\n")
    c.record_response("client", r)
    c.record("origin.reached", c.origin.seen(c.p(), 1.0) is not None)
