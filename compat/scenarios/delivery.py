"""Scenarios of delivery rules: de-duplication, prev-id order, next links, Grip-Last (`delivery.*`)."""

import time

from harness.common import text
from harness.origin import http_response
from harness.registry import response_item, scenario, stream_item
from harness.steps import close_stream, lp_origin, publish_seen, stream_origin


def stream_hold(c, channel, **start):
    """A stream hold on `channel` at the scenario's path, the client's request held on it."""
    stream_origin(c, channel)
    h = c.start(**start)
    c.hold_ready()
    return h


@scenario("delivery.dedup-same-id")
def _(c):
    ch = "dd-" + c.name
    h = stream_hold(c, ch)
    publish_seen(c, h, dict(stream_item(ch, "a\n"), id="m1"), b"a\n")
    c.publish_ok([dict(stream_item(ch, "again\n"), id="m1")])
    publish_seen(c, h, dict(stream_item(ch, "b\n"), id="m2"), b"b\n")
    close_stream(c, h, ch)


@scenario("delivery.out-of-order-prev-id")
def _(c):
    ch = "oo-" + c.name
    h = stream_hold(c, ch)
    publish_seen(c, h, dict(stream_item(ch, "1\n"), id="1"), b"1\n")
    c.publish_ok([dict(stream_item(ch, "3\n"), id="3", **{"prev-id": "2"})])
    time.sleep(0.3)
    c.record("client.body-before-gap-filled", text(h.resp.body_now()))
    publish_seen(c, h, dict(stream_item(ch, "2\n"), id="2", **{"prev-id": "1"}), b"3\n")
    close_stream(c, h, ch, id="4", **{"prev-id": "3"})


@scenario("delivery.missing-predecessor-released", slow=True)
def _(c):
    ch = "mp-" + c.name
    h = stream_hold(c, ch, max_time=12)
    publish_seen(c, h, dict(stream_item(ch, "1\n"), id="1"), b"1\n")
    t0 = time.time()
    c.publish_ok([dict(stream_item(ch, "3\n"), id="3", **{"prev-id": "2"})])
    got = h.wait_body(b"3\n", 9)
    waited = time.time() - t0
    c.record("client.released-after-4-to-7s", bool(got and 4 <= waited <= 7))
    close_stream(c, h, ch, **{"no-seq": True})


@scenario("delivery.next-link")
def _(c):
    ch = "nl-" + c.name
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"),
                                                   ("Grip-Link", "<%s>; rel=next" % c.p("/next"))], body="page1\n"))
    stream_origin(c, ch, path=c.p("/next"), body="page2\n")
    h = c.start()
    c.origin.wait(c.p("/next"))
    time.sleep(c.args.settle)
    publish_seen(c, h, stream_item(ch, "live\n"), b"live\n")
    close_stream(c, h, ch)
    c.record_origin("origin-next", c.origin.requests(c.p("/next"))[0])


@scenario("delivery.longpoll-prev-id-item-without-prev-id")
def _(c):
    # Pushpin does not deliver an item whose prev-id does not continue the hold's; it asks the origin again
    ch = "pm-" + c.name
    lp_origin(c, '%s; prev-id="p 1"' % ch)
    h = c.start(max_time=4)
    c.hold_ready()
    c.publish_ok([response_item(ch, body="no prev-id\n")])
    r = h.result()
    c.record("client.status", r.status)
    c.record("client.body", text(r.body))
    reqs = c.origin.requests(c.p())
    c.record("origin.retried", len(reqs) > 1)
    c.record("origin.first-grip-last", reqs[1].header("grip-last") if len(reqs) > 1 else None)


@scenario("delivery.longpoll-prev-id-match")
def _(c):
    ch = "pm-" + c.name
    lp_origin(c, "%s; prev-id=p1" % ch)
    h = c.start(max_time=4)
    c.hold_ready()
    c.publish_ok([dict(response_item(ch, body="next\n"), id="p2", **{"prev-id": "p1"})])
    c.record_response("client", h.result())
    c.record("origin.count", len(c.origin.requests(c.p())))


@scenario("delivery.longpoll-prev-id-conflict")
def _(c):
    ch = "pc-" + c.name
    # a stream subscriber keeps the channel (and its last id) alive
    stream_origin(c, ch, path=c.p("/watch"))
    w = c.start(path=c.p("/watch"))
    c.hold_ready(c.p("/watch"))
    publish_seen(c, w, dict(stream_item(ch, "x\n"), id="x1"), b"x\n")

    def answer(req):
        if req.header("grip-last"):
            return http_response(200, headers=[("Content-Type", "text/plain")], body="caught up\n")
        return http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "response"),
                                           ("Grip-Channel", "%s; prev-id=x0" % ch)], body="timeout\n")
    c.origin.on(c.p(), answer)
    c.record_response("client", c.request(timeout=6))
    reqs = c.origin.requests(c.p())
    c.record("origin.count", len(reqs))
    if len(reqs) > 1:
        c.record_origin("origin-retry", reqs[1])
    c.publish_ok([stream_item(ch, action="close")])
    w.result()
