"""Scenarios of the forwarding keys (`forwarding.*`): X-Forwarded-Proto/-Protocol, X-Forwarded-For and CDN-Loop as
the origin sees them, without the keys (profile `default`), with Pushpin's packaged values (`stock-forwarding`) and
with every key set (`forwarding`), for HTTP requests, WebSocket handshakes and WebSocket-over-HTTP requests."""

import time

from harness.common import UPSTREAM_KEY, make_jwt
from harness.origin import WsOrigin
from harness.registry import scenario
from harness.steps import text_plain, woh_origin, ws_close, ws_connect

# what a client sends: claims of its own and a chain of addresses over two lines
CLIENT = [("X-Forwarded-Proto", "https"), ("X-Forwarded-Protocol", "https"),
          ("X-Forwarded-For", "1.1.1.1,2.2.2.2"), ("X-Forwarded-For", "3.3.3.3"), ("CDN-Loop", "othercdn")]


def http_case(c, host="o.test", headers=CLIENT, tls=False):
    c.origin.on(c.p(), text_plain(200, "ok\n"))
    r = c.request(host=host, headers=headers, tls=tls)
    c.record("client.status", r.status)
    c.record_origin("origin", c.origin.wait(c.p()))


def ws_case(c, host="o.test", headers=CLIENT, tls=False):
    def run(ws):
        f = ws.read(5)
        if f and f[0] == "CLOSE":
            ws.send(8, f[1])
    c.origin.on(c.p(), WsOrigin(run))
    ws = ws_connect(c, host, headers=headers, tls=tls)
    c.record_origin("origin", c.origin.seen(c.p()))
    if ws is not None:
        ws_close(c, ws, 1000, "bye")


def woh_case(c, host, headers=CLIENT):
    """Two WebSocket-over-HTTP requests (OPEN, then a message); records the headers of both."""
    def respond(typ, data):
        return [("OPEN", b"")] if typ == "OPEN" else []
    woh_origin(c, respond)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = ws_connect(c, host, headers=headers)
    if ws is None:
        return
    time.sleep(c.args.settle)
    ws.send(1, "hello")
    c.origin.wait(c.p(), base + 2)
    reqs = c.origin.requests(c.p())[base:]
    for i, r in enumerate(reqs[:2]):
        c.record("origin[%d].x-forwarded-for" % i, r.header("x-forwarded-for"))
        c.record("origin[%d].x-forwarded-proto" % i, r.header("x-forwarded-proto"))
        c.record("origin[%d].x-forwarded-protocol" % i, r.header("x-forwarded-protocol"))
    ws.shutdown()


# no forwarding key in pushpin.conf: the client's headers pass (X-Forwarded-For as one line)
@scenario("forwarding.absent-http")
def _(c):
    http_case(c)


@scenario("forwarding.absent-ws")
def _(c):
    ws_case(c)


# Pushpin's packaged values: set_x_forwarded_protocol=proto-only removes a plain client's claims
@scenario("forwarding.stock-http", profile="stock-forwarding")
def _(c):
    http_case(c)


@scenario("forwarding.stock-ws", profile="stock-forwarding")
def _(c):
    ws_case(c)


# a client on https_ports: proto-only replaces its claims with the proxy's own
@scenario("forwarding.stock-https", profile="stock-forwarding")
def _(c):
    http_case(c, tls=True)


@scenario("forwarding.stock-wss", profile="stock-forwarding")
def _(c):
    ws_case(c, tls=True)


# every key set: the claim is accepted (https, wss; ssl=yes routes), X-Forwarded-For truncate:1,append
@scenario("forwarding.rules-http-claimed", profile="forwarding")
def _(c):
    http_case(c, host="sec.test")


@scenario("forwarding.rules-https", profile="forwarding")
def _(c):
    http_case(c, host="sec.test", headers=[("X-Forwarded-Proto", "http"), ("X-Forwarded-For", "1.1.1.1")], tls=True)


@scenario("forwarding.rules-http-plain", profile="forwarding")
def _(c):
    http_case(c, host="sec.test", headers=[("X-Forwarded-Proto", "http"), ("X-Forwarded-Protocol", "https"),
                                           ("X-Forwarded-For", "1.1.1.1, 2.2.2.2")])


@scenario("forwarding.rules-http-protocol-only", profile="forwarding")
def _(c):
    http_case(c, host="sec.test", headers=[("X-Forwarded-Protocol", "https")])


@scenario("forwarding.rules-http-trusted", profile="forwarding")
def _(c):
    http_case(c, headers=[("Grip-Sig", make_jwt("upstream", UPSTREAM_KEY)), ("X-Forwarded-For", "1.1.1.1, 2.2.2.2")])


@scenario("forwarding.rules-http-forged", profile="forwarding")
def _(c):
    http_case(c, headers=[("Grip-Sig", make_jwt("upstream", "not-the-key")), ("X-Forwarded-For", "1.1.1.1, 2.2.2.2")])


@scenario("forwarding.rules-ws-claimed", profile="forwarding")
def _(c):
    ws_case(c, host="sec.test")


@scenario("forwarding.rules-ws-plain", profile="forwarding")
def _(c):
    ws_case(c, headers=[("X-Forwarded-For", "1.1.1.1")])


@scenario("forwarding.rules-woh", profile="forwarding")
def _(c):
    woh_case(c, "wohsec.test")
