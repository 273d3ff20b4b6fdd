"""Scenarios of GRIP instructions, holds and their errors (`grip.*`)."""

import json
import time

from harness.common import text
from harness.origin import http_response
from harness.registry import record_masked_body, response_item, scenario, stream_item
from harness.steps import (answered, close_stream, held_then_published, lp_origin, publish_seen, stream_origin,
                           text_plain)


@scenario("grip.longpoll-publish")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    held_then_published(c, [response_item(ch, body="pub\n", headers={"X-Over": "pub", "X-New": "n"})])
    c.record_origin("origin", c.origin.requests(c.p())[0])


@scenario("grip.longpoll-publish-code-reason-list-headers")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    held_then_published(c, [response_item(ch, code=404, reason="Gone Fishing", body="pub\n",
                                          headers=[["Content-Type", "application/json"], ["X-A", "1"], ["X-A", "2"]])])


@scenario("grip.longpoll-publish-body-bin")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch, code=202)
    held_then_published(c, [response_item(ch, **{"body-bin": "aGk="})])


@scenario("grip.longpoll-legacy-format")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    held_then_published(c, [{"channel": ch, "http-response": {"body": "legacy"}}])


@scenario("grip.longpoll-second-channel")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch + "a, " + ch + "b")
    held_then_published(c, [response_item(ch + "b", body="two")])


@scenario("grip.longpoll-timeout", slow=True)
def _(c):
    lp_origin(c, "lp-" + c.name, extra=[("Grip-Timeout", "5"), ("Grip-Status", "404 Custom")])
    t0 = time.time()
    r = c.request(timeout=12)
    c.record_response("client", r)
    c.record("client.after-5-to-8s", bool(r.head_at and 4.5 <= r.head_at - t0 <= 8))


@scenario("grip.longpoll-timeout-clamped", slow=True)
def _(c):
    lp_origin(c, "lp-" + c.name, extra=[("Grip-Timeout", "1")])
    t0 = time.time()
    r = c.request(timeout=12)
    c.record_response("client", r)
    c.record("client.at-least-5s", bool(r.head_at and r.head_at - t0 >= 4.5))


@scenario("grip.stream-publish-close")
def _(c):
    ch = "st-" + c.name
    stream_origin(c, ch, extra=[("X-Orig", "keep")])
    h = c.start()
    c.hold_ready()
    publish_seen(c, h, stream_item(ch, "one\n"), b"one\n")
    publish_seen(c, h, stream_item(ch, **{"content-bin": "dHdvCg=="}), b"two\n")
    close_stream(c, h, ch)


@scenario("grip.stream-status-chunked-origin")
def _(c):
    ch = "st-" + c.name
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nGrip-Hold: stream\r\nGrip-Channel: " +
                ch.encode() + b"\r\nGrip-Status: 202 Streaming\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"2\r\nab\r\n0\r\n\r\n")
    h = c.start()
    c.hold_ready()
    publish_seen(c, h, stream_item(ch, "x"), b"abx")
    close_stream(c, h, ch)


@scenario("grip.stream-http10")
def _(c):
    ch = "st-" + c.name
    stream_origin(c, ch)
    h = c.start(version="HTTP/1.0", host=None, max_time=6)
    if c.origin.seen(c.p()) is None:
        c.record_response("client", h.result())
        return
    time.sleep(c.args.settle)
    publish_seen(c, h, stream_item(ch, "one\n"), b"one\n")
    close_stream(c, h, ch)


@scenario("grip.stream-keep-alive")
def _(c):
    ch = "st-" + c.name
    stream_origin(c, ch, extra=[("Grip-Keep-Alive", ":ka\\n\\n; format=cstring; timeout=1")],
                  content_type="text/event-stream")
    h = c.start(max_time=3.5, after_wait=0)
    r = h.result()
    c.record_response("client", r, body=False)
    body = r.body
    c.record("client.body-start", text(body[:6]))
    c.record("client.keepalives>=2", body[6:].count(b":ka\n\n") >= 2)
    c.record("client.only-keepalives", body[6:].replace(b":ka\n\n", b"") == b"")


@scenario("grip.longpoll-two-subscribers")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    h1 = c.start()
    h2 = c.start()
    c.hold_ready(count=2)
    c.publish_ok([response_item(ch, body="both\n")])
    c.record_response("client1", h1.result())
    c.record_response("client2", h2.result())


@scenario("grip.channel-header-lines-and-params")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch + "a; filter=skip-self", extra=[("Grip-Channel", ch + "b")])
    held_then_published(c, [response_item(ch + "b", body="from b\n")])


@scenario("grip.stream-large-initial-body")
def _(c):
    ch = "st-" + c.name
    stream_origin(c, ch, body=b"s" * 150000)
    h = c.start()
    c.hold_ready()
    h.wait_body(b"s" * 150000, 4)
    publish_seen(c, h, stream_item(ch, "tail\n"), b"tail\n")
    close_stream(c, h, ch)


@scenario("grip.instruct-json-body")
def _(c):
    ch = "gi-" + c.name
    instruct = {"hold": {"mode": "response", "channels": [{"name": ch}], "timeout": 30},
                "response": {"code": 202, "headers": {"X-From": "instruct"}, "body": "timeout body\n"}}
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "application/grip-instruct")],
                                     body=json.dumps(instruct)))
    held_then_published(c, [response_item(ch, body="published\n")])


@scenario("grip.publish-wrong-format-ignored")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([stream_item(ch, "stream content\n")])
    time.sleep(0.3)
    c.publish_ok([response_item(ch, body="response content\n")])
    c.record_response("client", h.result())


@scenario("grip.status-only")
def _(c):
    answered(c, text_plain(200, "nf\n", [("Grip-Status", "404 Not Here")]))


@scenario("grip.status-code-only")
def _(c):
    answered(c, text_plain(200, "tea\n", [("Grip-Status", "418")]))


@scenario("grip.unknown-grip-header")
def _(c):
    answered(c, text_plain(200, "plain\n", [("Grip-Whatever", "x"), ("X-A", "b")]))


INVALID = [
    ("timeout-negative", [("Grip-Hold", "response"), ("Grip-Channel", "c"), ("Grip-Timeout", "-3")]),
    ("timeout-text", [("Grip-Hold", "response"), ("Grip-Channel", "c"), ("Grip-Timeout", "abc")]),
    ("hold-mode", [("Grip-Hold", "forever"), ("Grip-Channel", "c")]),
    ("keep-alive-empty", [("Grip-Hold", "stream"), ("Grip-Channel", "c"), ("Grip-Keep-Alive", "; format=raw")]),
    ("status-text", [("Grip-Status", "abc")]),
]


for _name, _hdrs in INVALID:
    for _prof in ("default", "debug"):
        def _mk(hdrs):
            def run(c):
                answered(c, text_plain(200, "nf\n", hdrs))
            return run
        scenario("grip.invalid-%s%s" % (_name, "-debug" if _prof == "debug" else ""), profile=_prof)(_mk(_hdrs))


@scenario("grip.instruct-too-large-debug", profile="debug")
def _(c):
    c.origin.on(c.p(), text_plain(200, b"x" * 100001, [("Grip-Hold", "response"), ("Grip-Channel", "big")]))
    r = c.request()
    c.record_response("client", r, body=False)
    record_masked_body(c, r, str(c.origin.port), "<origin-port>")


@scenario("grip.client-grip-headers-stripped")
def _(c):
    c.origin.on(c.p(), text_plain(200, "ok\n"))
    c.request(headers=[("Grip-Hold", "stream"), ("Grip-Channel", "evil"), ("Grip-Last", "x; last-id=1")])
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("grip.prefix-route")
def _(c):
    lp_origin(c, "pc")
    held_then_published(c, [response_item("p-pc", body="prefixed\n")], host="pfx.test")
