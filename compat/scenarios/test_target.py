"""Scenarios of the built-in test target (`test-target.*`)."""

import time

from harness.ws import WsClient
from harness.registry import response_item, scenario, stream_item


@scenario("test-target.ws")
def _(c):
    ws = WsClient(c.target.proxy_port, "/ws?channel=tt-" + c.name, "test.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(1, "echo me")
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    time.sleep(c.args.settle)
    c.publish_ok([{"channel": "tt-" + c.name, "formats": {"ws-message": {"content": "from publish"}}}])
    ws.read_until(lambda f: f[1] == b"from publish", 3)
    ws.close(1000, "")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())


@scenario("test-target.response")
def _(c):
    h = c.start(path="/response", host="test.test")
    time.sleep(c.args.settle + 0.3)
    c.publish_ok([response_item("test", body="hello\n")])
    c.record_response("client", h.result())


@scenario("test-target.response-code-headers")
def _(c):
    h = c.start(path="/response?x=1", host="test.test")
    time.sleep(c.args.settle + 0.3)
    c.publish_ok([response_item("test", code=201, headers={"X-P": "1"}, body="hello\n")])
    c.record_response("client", h.result())


@scenario("test-target.stream")
def _(c):
    h = c.start(path="/stream", host="test.test")
    h.wait_head(3)
    time.sleep(c.args.settle)
    c.publish_ok([stream_item("test", "hello\n")])
    h.wait_body(b"hello\n", 3)
    c.publish_ok([stream_item("test", action="close")])
    c.record_response("client", h.result())


@scenario("test-target.both-formats")
def _(c):
    hr = c.start(path="/response", host="test.test")
    hs = c.start(path="/stream", host="test.test")
    hs.wait_head(3)
    time.sleep(c.args.settle + 0.3)
    c.publish_ok([{"channel": "test", "formats": {"http-stream": {"content": "hello\n"},
                                                  "http-response": {"body": "hello\n"}}}])
    hs.wait_body(b"hello\n", 3)
    c.publish_ok([stream_item("test", action="close")])
    c.record_response("response", hr.result())
    c.record_response("stream", hs.result())


@scenario("test-target.unknown-path")
def _(c):
    c.record_response("client", c.request(path="/other", host="test.test"))


@scenario("test-target.timeout", slow=True)
def _(c):
    r = c.request(path="/response", host="test.test", timeout=65)
    c.record_response("client", r)
