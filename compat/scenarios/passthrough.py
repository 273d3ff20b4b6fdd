"""Scenarios of plain proxying (`passthrough.*`)."""

import time

from harness.common import text
from harness.http import Conn, build_request, read_response
from harness.origin import http_response
from harness.registry import record_masked_body, scenario
from harness.steps import answered, text_plain


@scenario("passthrough.headers")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("X-Custom", "v"),
                                                   ("Connection", "keep-alive"), ("Keep-Alive", "timeout=5"),
                                                   ("Server", "origin/1")], body="hello\n"))
    r = c.request(path=c.p() + "?q=1", headers=[
        ("User-Agent", "t"), ("Connection", "keep-alive"), ("Grip-Foo", "bar"), ("Grip-Sig", "abc"),
        ("Accept-Encoding", "gzip"), ("X-Forwarded-For", "1.2.3.4"), ("Keep-Alive", "300"), ("TE", "trailers"),
        ("Via", "1.1 foo"), ("Forwarded", "for=1.1.1.1"), ("X-Other", "o")])
    c.record_response("client", r)
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.post-body")
def _(c):
    answered(c, text_plain(201, "made\n"), method="POST", headers=[("Content-Type", "application/json")],
             body='{"a":1}')
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.http10")
def _(c):
    answered(c, text_plain(200, "ten\n"), version="HTTP/1.0", host=None)
    c.record_origin("origin", c.origin.seen(c.p()))


@scenario("passthrough.chunked")
def _(c):
    answered(c, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")


@scenario("passthrough.close-delimited")
def _(c):
    answered(c, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil-close")


@scenario("passthrough.status-reason")
def _(c):
    answered(c, text_plain(404, "nah\n", reason="Nope"))


@scenario("passthrough.no-content")
def _(c):
    answered(c, b"HTTP/1.1 204 No Content\r\n\r\n")


@scenario("passthrough.origin-closes")
def _(c):
    answered(c, lambda req: None)


@scenario("passthrough.origin-garbage")
def _(c):
    answered(c, b"NOT HTTP AT ALL\r\n\r\n")


@scenario("passthrough.short-body")
def _(c):
    answered(c, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-some", timeout=3.0)


@scenario("passthrough.unreachable")
def _(c):
    c.record_response("client", c.request(host="dead.test"))


@scenario("passthrough.unreachable-debug", profile="debug")
def _(c):
    r = c.request(host="dead.test")
    c.record_response("client", r, body=False)
    # the body names the target port, which differs per run
    record_masked_body(c, r, str(c.target.dead_port), "<dead-port>")


@scenario("passthrough.no-route")
def _(c):
    c.record_response("client", c.request(host="nowhere.test"))


@scenario("passthrough.no-route-host-with-port")
def _(c):
    c.record_response("client", c.request(host="nowhere.test:8080"))


@scenario("passthrough.large-chunked-body")
def _(c):
    body = b"".join(b"%x\r\n" % 8192 + b"y" * 8192 + b"\r\n" for _ in range(40)) + b"0\r\n\r\n"
    answered(c, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
             timeout=8)


@scenario("passthrough.large-request-body")
def _(c):
    answered(c, text_plain(200, "got it\n"), method="POST", body=b"z" * 300000,
             headers=[("Content-Type", "text/plain")], timeout=8)
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.chunked-request-body")
def _(c):
    answered(c, text_plain(200, "ok\n"), method="POST", headers=[("Transfer-Encoding", "chunked")],
             body=b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.head")
def _(c):
    answered(c, text_plain(200, headers=[("Content-Length", "5")]), method="HEAD")
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.expect-continue")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ok\n"))
    conn = Conn(c.target.proxy_port, 5)
    conn.send(build_request("POST", c.p(), "o.test", [("Expect", "100-continue"), ("Content-Length", "3")]))
    first = read_response(conn, time.time() + 2, after_wait=0)
    c.record("client.interim", first.status)
    if first.status and first.status.startswith("100"):
        conn.send(b"abc")
        c.record_response("client", read_response(conn, time.time() + 5))
    conn.close()
    req = c.origin.seen(c.p())
    c.record_origin("origin", req)


@scenario("passthrough.keep-alive-reuse")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="one\n"))
    conn = Conn(c.target.proxy_port, 5)
    for i in range(3):
        conn.send(build_request("GET", c.p(), "o.test"))
        r = read_response(conn, time.time() + 5, after_wait=0)
        c.record("client[%d]" % i, "%s | %s" % (r.status, text(r.body)))
    conn.close()
