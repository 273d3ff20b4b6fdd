"""The scenario list and the `@scenario` decorator; item builders and checks several areas share."""

from .common import text


SCENARIOS = []

LP_HEADERS = [("Content-Type", "text/plain"), ("Grip-Hold", "response"), ("X-Orig", "keep"), ("X-Over", "orig")]


def scenario(name, profile="default", slow=False):
    def deco(fn):
        SCENARIOS.append((name, profile, fn, slow))
        return fn
    return deco


def stream_item(channel, content=None, **kw):
    f = dict(kw)
    if content is not None:
        f["content"] = content
    return {"channel": channel, "formats": {"http-stream": f}}


def response_item(channel, **kw):
    return {"channel": channel, "formats": {"http-response": kw}}


def record_masked_body(c, r, value, mask):
    """Bodies that name a per-run port: mask it, and make Content-Length relative to the masked body."""
    body = r.body.replace(value.encode(), mask.encode())
    c.record("client.body", text(body))
    if r.header("content-length") is not None:
        c.record("client.header.content-length",
                 "len(body)%+d" % (int(r.header("content-length")) - len(r.body)))

