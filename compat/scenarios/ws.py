"""Scenarios of WebSocket origins, passthrough and GRIP mode (`ws.*`)."""

import time

from harness.origin import WsOrigin
from harness.ws import ws_frames_text
from harness.registry import scenario
from harness.steps import ws_close, ws_connect


@scenario("ws.passthrough")
def _(c):
    got = {}

    def run(ws):
        f = ws.read(5)
        if f and f[0] == "TEXT":
            ws.send(1, b"echo " + f[1])
        f = ws.read(5)
        if f and f[0] == "CLOSE":
            ws.send(8, f[1])
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run, headers=[("Sec-WebSocket-Protocol", "chat")]))
    ws = ws_connect(c, "o.test", headers=[("Sec-WebSocket-Protocol", "chat, other"),
                                          ("Sec-WebSocket-Extensions", "permessage-deflate")])
    c.record_origin("origin", c.origin.seen(c.p()))
    if ws is None:
        return
    ws.send(1, "hi")
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    ws_close(c, ws, 4000, "done")
    time.sleep(0.2)
    c.record("origin.frames", got.get("frames"))


@scenario("ws.grip-subscribe-publish")
def _(c):
    ch = "wsg-" + c.name
    got = {}

    def run(ws):
        ws.send(1, 'c:{"type": "subscribe", "channel": "%s"}' % ch)
        ws.send(1, "m:hello from origin")
        ws.send(1, "unprefixed is dropped")
        f = ws.read(6)
        if f and f[0] == "TEXT":
            ws.send(1, b"m:echo " + f[1])
        f = ws.read(6)
        if f and f[0] == "CLOSE":
            ws.send(8, f[1])
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run, headers=[("Sec-WebSocket-Extensions", "grip")]))
    ws = ws_connect(c, "o.test")
    c.record_origin("origin", c.origin.seen(c.p()))
    if ws is None:
        return
    ws.read_until(lambda f: f[0] == "TEXT" and b"hello" in f[1], 3)
    time.sleep(c.args.settle)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"content": "published"}}}])
    ws.read_until(lambda f: f[1] == b"published", 3)
    ws.send(1, "ping me")
    ws.read_until(lambda f: f[0] == "TEXT" and b"echo" in f[1], 3)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"action": "close", "code": 4001, "reason": "bye"}}}])
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    time.sleep(0.2)
    c.record("client.frames", ws.frames_text())
    c.record("origin.frames", got.get("frames"))


@scenario("ws.origin-ping-close")
def _(c):
    got = {}

    def run(ws):
        ws.send(9, b"are you there")
        f = ws.read(5)
        ws.send(8, b"\x0f\xa2origin leaves")
        f = ws.read(5)
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run))
    ws = ws_connect(c, "o.test")
    if ws is None:
        return
    f = ws.read_until(lambda f: f[0] == "PING", 3)
    if f and f[0] == "PING":
        ws.send(10, f[1])
    f = ws.read_until(lambda f: f[0] == "CLOSE", 3)
    if f and f[0] == "CLOSE":
        ws.send(8, f[1])
    time.sleep(c.args.settle)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    c.record("origin.frames", got.get("frames"))
