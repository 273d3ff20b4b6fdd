"""Settings shared by every part of the check, and small helpers (ports, text, Grip-Sig)."""

import base64
import hashlib
import hmac
import json
import os
import socket
import time


# the compat folder (this file is in compat/harness)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HERE)
DOC = os.path.join(REPO, "docs", "compatibility.md")

SIG_KEY = "changeme"
ROUTE_SIG_KEY = "routekey"
UPSTREAM_KEY = "upstreamkey"  # upstream_key of the `forwarding` profile: a GRIP proxy in front signs with it
SETTLE = 0.4  # seconds between "origin answered with a hold" and "hold is registered" (Pushpin needs ~0.1 s)


class ScenarioError(Exception):
    pass


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def text(b, limit=2000):
    """Bytes as comparable text; long bodies are summarised so the table stays readable."""
    if b is None:
        return None
    if len(b) > limit:
        return "<%d bytes sha256=%s>" % (len(b), hashlib.sha256(b).hexdigest()[:16])
    return b.decode("utf-8", "backslashreplace")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def normalise_jwt(token, keys):
    """Grip-Sig as a stable description: header, claim names, exp relative to now, signature validity."""
    try:
        h, c, sig = token.split(".")
        header = json.loads(b64url_decode(h))
        claims = json.loads(b64url_decode(c))
    except Exception:
        return "<not a JWT: %r>" % token[:40]
    now = time.time()
    out = []
    for k in sorted(claims):
        v = claims[k]
        if k == "iat":
            continue  # optional claim; its presence is not part of the GRIP contract
        if k == "exp" and isinstance(v, (int, float)):
            # wide tolerance: the clock of this kind of test machine can jump while a run is in progress
            v = "now+3600" if abs(v - now - 3600) < 900 else "now%+d" % round(v - now)
        out.append("%s=%s" % (k, v))
    valid = "bad-sig"
    for name, key in keys:
        mac = hmac.new(key.encode(), (h + "." + c).encode(), hashlib.sha256).digest()
        if hmac.compare_digest(base64.urlsafe_b64encode(mac).rstrip(b"=").decode(), sig):
            valid = "signed:" + name
            break
    return "JWT alg=%s {%s} %s" % (header.get("alg"), ", ".join(out), valid)


def make_jwt(iss, key, ttl=3600):
    """A Grip-Sig token (HS256, iss, exp) as a GRIP proxy in front would send it."""
    def enc(b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
    h = enc(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    c = enc(json.dumps({"iss": iss, "exp": int(time.time()) + ttl}).encode())
    sig = enc(hmac.new(key.encode(), (h + "." + c).encode(), hashlib.sha256).digest())
    return h + "." + c + "." + sig
