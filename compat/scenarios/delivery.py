"""Scenarios of delivery rules: de-duplication, prev-id order, next links, Grip-Last (`delivery.*`)."""

import time

from harness.common import text
from harness.origin import http_response
from harness.registry import LP_HEADERS, response_item, scenario, stream_item


def stream_origin(c, channel, path=None, body="first\n", extra=()):
    c.origin.on(path or c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "stream"),
                                                          ("Grip-Channel", channel)] + list(extra), body=body))


@scenario("delivery.dedup-same-id")
def _(c):
    ch = "dd-" + c.name
    stream_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([dict(stream_item(ch, "a\n"), id="m1")])
    h.wait_body(b"a\n", 3)
    c.publish_ok([dict(stream_item(ch, "again\n"), id="m1")])
    c.publish_ok([dict(stream_item(ch, "b\n"), id="m2")])
    h.wait_body(b"b\n", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())


@scenario("delivery.out-of-order-prev-id")
def _(c):
    ch = "oo-" + c.name
    stream_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([dict(stream_item(ch, "1\n"), id="1")])
    h.wait_body(b"1\n", 3)
    c.publish_ok([dict(stream_item(ch, "3\n"), id="3", **{"prev-id": "2"})])
    time.sleep(0.3)
    c.record("client.body-before-gap-filled", text(h.resp.body_now()))
    c.publish_ok([dict(stream_item(ch, "2\n"), id="2", **{"prev-id": "1"})])
    h.wait_body(b"3\n", 3)
    c.publish_ok([dict(stream_item(ch, action="close"), id="4", **{"prev-id": "3"})])
    c.record_response("client", h.result())


@scenario("delivery.missing-predecessor-released", slow=True)
def _(c):
    ch = "mp-" + c.name
    stream_origin(c, ch)
    h = c.start(max_time=12)
    c.hold_ready()
    c.publish_ok([dict(stream_item(ch, "1\n"), id="1")])
    h.wait_body(b"1\n", 3)
    t0 = time.time()
    c.publish_ok([dict(stream_item(ch, "3\n"), id="3", **{"prev-id": "2"})])
    got = h.wait_body(b"3\n", 9)
    waited = time.time() - t0
    c.record("client.released-after-4-to-7s", bool(got and 4 <= waited <= 7))
    c.publish_ok([dict(stream_item(ch, action="close"), **{"no-seq": True})])
    c.record_response("client", h.result())


@scenario("delivery.next-link")
def _(c):
    ch = "nl-" + c.name
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"),
                                                   ("Grip-Link", "<%s>; rel=next" % c.p("/next"))], body="page1\n"))
    stream_origin(c, ch, path=c.p("/next"), body="page2\n")
    h = c.start()
    c.origin.wait(c.p("/next"))
    time.sleep(c.args.settle)
    c.publish_ok([stream_item(ch, "live\n")])
    h.wait_body(b"live\n", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())
    c.record_origin("origin-next", c.origin.requests(c.p("/next"))[0])


@scenario("delivery.longpoll-prev-id-item-without-prev-id")
def _(c):
    # Pushpin does not deliver an item whose prev-id does not continue the hold's; it asks the origin again
    ch = "pm-" + c.name
    c.origin.on(c.p(), http_response(200, headers=LP_HEADERS + [("Grip-Channel", '%s; prev-id="p 1"' % ch)],
                                     body="timeout\n"))
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
    c.origin.on(c.p(), http_response(200, headers=LP_HEADERS + [("Grip-Channel", "%s; prev-id=p1" % ch)],
                                     body="timeout\n"))
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
    c.publish_ok([dict(stream_item(ch, "x\n"), id="x1")])
    w.wait_body(b"x\n", 3)

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
