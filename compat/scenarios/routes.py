"""Scenarios of route selection and route options (`routes.*`)."""

from harness.origin import http_response
from harness.registry import scenario


@scenario("routes.failover")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="second target\n"))
    c.record_response("client", c.request(host="fail.test"))


@scenario("routes.header-property")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ok\n"))
    c.request(host="hdr.test", headers=[("User-Agent", "client"), ("X-Added", "from-client")])
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("routes.pushpin-route-header", profile="route-header")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="by id\n"))
    c.record_response("client", c.request(host="nowhere.test", headers=[("Pushpin-Route", "alpha")]))
    c.record_origin("origin", c.origin.seen(c.p()))
    c.record_response("client-unknown-id", c.request(host="nowhere.test", headers=[("Pushpin-Route", "beta")]))


@scenario("routes.pushpin-route-header-off")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="by id\n"))
    c.record_response("client", c.request(host="nowhere.test", headers=[("Pushpin-Route", "alpha")]))


@scenario("routes.domain-without-matching-path")
def _(c):
    c.record_response("client", c.request(path="/other", host="split.test"))


@scenario("routes.longest-path-wins")
def _(c):
    c.origin.on("/a/b/x", http_response(200, headers=[("Content-Type", "text/plain")], body="origin\n"))
    c.record_response("client", c.request(path="/a/b/x", host="pref.test"))
    c.record_response("client-short", c.request(path="/a/x", host="pref.test"))


@scenario("routes.replace-beg")
def _(c):
    c.origin.on("/v1/items", http_response(200, headers=[("Content-Type", "text/plain")], body="v1\n"))
    c.record_response("client", c.request(path="/api/items?x=1", host="repl.test"))
    c.record_origin("origin", c.origin.wait("/v1/items"))


@scenario("routes.route-sig-key")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ok\n"))
    c.request(host="sig.test")
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("routes.no-grip")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "response"),
                                                   ("Grip-Channel", "ng")], body="raw\n"))
    c.record_response("client", c.request(host="nogrip.test"))
    c.record_origin("origin", c.origin.wait(c.p()))
