"""Scenarios of the publish API (`publish.*`)."""

import json

from harness.common import text
from harness.registry import response_item, scenario, stream_item


@scenario("publish.root")
def _(c):
    c.record_response("publish", c.publish(raw=b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"))


@scenario("publish.ok-text")
def _(c):
    c.record_response("publish", c.publish([stream_item("nobody", "x")]))


@scenario("publish.ok-trailing-slash")
def _(c):
    c.record_response("publish", c.publish([stream_item("nobody", "x")], path="/publish/"))


@scenario("publish.ok-json")
def _(c):
    c.record_response("publish", c.publish([stream_item("nobody", "x")], accept="application/json"))


@scenario("publish.ok-empty-items")
def _(c):
    c.record_response("publish", c.publish([]))


@scenario("publish.accept-variants")
def _(c):
    for i, acc in enumerate(["text/plain", "text/*", "*/*", "application/*", "application/json, text/plain",
                             "text/plain, application/json", "application/json;q=0.9, text/plain",
                             "image/png, */*"]):
        r = c.publish([], accept=acc)
        c.record("accept[%d] %s" % (i, acc), "%s | %s | %s" % (r.status, r.header("content-type"), text(r.body)))


@scenario("publish.not-acceptable")
def _(c):
    c.record_response("publish", c.publish([], accept="text/html"))


@scenario("publish.bad-json")
def _(c):
    c.record_response("publish", c.publish(body="{bad"))


@scenario("publish.bad-json-accept-json")
def _(c):
    c.record_response("publish", c.publish(body="{bad", accept="application/json"))


BAD_ITEMS = [
    ("no-items", {}),
    ("items-not-array", {"items": {}}),
    ("item-not-object", {"items": [1]}),
    ("no-channel", {"items": [{"formats": {"http-stream": {"content": "x"}}}]}),
    ("channel-not-string", {"items": [{"channel": 5, "formats": {"http-stream": {"content": "x"}}}]}),
    ("no-formats", {"items": [{"channel": "a"}]}),
    ("stream-no-content", {"items": [stream_item("a")]}),
    ("stream-content-not-string", {"items": [stream_item("a", 5)]}),
    ("response-no-body", {"items": [response_item("a")]}),
    ("response-code-range", {"items": [response_item("a", code=1000, body="x")]}),
    ("response-headers-type", {"items": [response_item("a", headers="x", body="x")]}),
    ("response-header-value", {"items": [response_item("a", headers={"A": 1}, body="x")]}),
    ("response-header-pair", {"items": [response_item("a", headers=[["A"]], body="x")]}),
    ("id-not-string", {"items": [dict(stream_item("a", "x"), id=5)]}),
    ("meta-value", {"items": [dict(stream_item("a", "x"), meta={"a": 1})]}),
    ("second-item", {"items": [stream_item("a", "x"), {"channel": "a"}]}),
    ("not-object", [1, 2]),
]


for _name, _body in BAD_ITEMS:
    def _mk(body):
        def run(c):
            c.record_response("publish", c.publish(body=json.dumps(body)))
        return run
    scenario("publish.bad-" + _name)(_mk(_body))


@scenario("publish.legacy-flat-format")
def _(c):
    c.record_response("publish", c.publish(body=json.dumps({"items": [{"channel": "a", "http-stream": {"content": "x"}}]})))


@scenario("publish.method-get")
def _(c):
    c.record_response("publish", c.publish(method="GET"))


@scenario("publish.method-put")
def _(c):
    c.record_response("publish", c.publish(method="PUT", body="{}"))


@scenario("publish.not-found")
def _(c):
    c.record_response("publish", c.publish([], path="/nope"))


@scenario("publish.too-large")
def _(c):
    big = b'{"items":[{"channel":"a","formats":{"http-stream":{"content":"' + b"x" * 1000001 + b'"}}}]}'
    c.record_response("publish", c.publish(body=big))


@scenario("publish.limit-exact")
def _(c):
    c.record_response("publish", c.publish(body=b'{"items":[]}' + b" " * (1000000 - 12)))
