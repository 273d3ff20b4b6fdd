#!/usr/bin/env python3
"""Differential check of Outpost against Pushpin 1.36.

Starts Pushpin and Outpost in turn (temporary directories, free ports on 127.0.0.1), runs the same scenarios against
both with an in-process scripted origin, normalises what varies between runs (Date, Grip-Sig exp/iat, ...) and compares
status lines, headers and bodies seen by the client, by the publisher and by the origin.

Differences listed in KNOWN (mirrored in docs/compatibility.md) are reported but do not fail the run.
Python 3 standard library only.  See compat/README.md.
"""

import argparse
import base64
import fnmatch
import hashlib
import hmac
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DOC = os.path.join(REPO, "docs", "compatibility.md")

SIG_KEY = "changeme"
ROUTE_SIG_KEY = "routekey"
SETTLE = 0.4  # seconds between "origin answered with a hold" and "hold is registered" (Pushpin needs ~0.1 s)


class ScenarioError(Exception):
    pass


# --------------------------------------------------------------------------------------------------------------------
# Known, intended differences.  Every entry has a section with the same id in docs/compatibility.md (--check-docs).
# A difference is "known" only when scenario and field match and both values match the given regexes
# (None = the field is absent on that side, "*" = anything).
# --------------------------------------------------------------------------------------------------------------------

class Known:
    def __init__(self, id, scenarios, fields, pushpin="*", outpost="*", why=""):
        self.id = id
        self.scenarios = scenarios if isinstance(scenarios, (list, tuple)) else [scenarios]
        self.fields = fields if isinstance(fields, (list, tuple)) else [fields]
        self.pushpin = pushpin
        self.outpost = outpost
        self.why = why

    @staticmethod
    def _value_ok(pattern, value):
        if isinstance(pattern, list):
            return any(Known._value_ok(p, value) for p in pattern)
        if pattern == "*":
            return True
        if pattern is None:
            return value is None
        return value is not None and re.fullmatch(pattern, str(value), re.S) is not None

    def matches(self, scenario, field, pushpin_value, outpost_value):
        return (any(fnmatch.fnmatchcase(scenario, s) for s in self.scenarios)
                and any(fnmatch.fnmatchcase(field, f) for f in self.fields)
                and self._value_ok(self.pushpin, pushpin_value)
                and self._value_ok(self.outpost, outpost_value))


KNOWN = [
    Known("publish-keep-alive", "publish.*", ["publish*.header.connection", "publish*.after"],
          pushpin=r"close|closed", outpost=[None, r"keep-alive|open"],
          why="Pushpin closes every publish connection; Outpost keeps it alive."),
    Known("publish-body-limit-413", "publish.too-large", ["publish.status", "publish.body", "publish.after",
                                                          "publish.header.*"],
          why="Pushpin answers 400 'Request body too large.' and resets; Outpost answers 413."),
    Known("publish-error-detail", "publish.bad-*", "publish.body",
          pushpin=r"Invalid format.*", outpost=r"Invalid format.*\n",
          why="Outpost's 'Invalid format' messages name the item index and the field."),
    Known("origin-accept-encoding", "*", ["origin*.header.accept-encoding", "origin*.header.accept"],
          pushpin=r"deflate, gzip, br, zstd|\*/\*", outpost=None,
          why="Pushpin's HTTP client (libcurl in zurl) adds Accept and Accept-Encoding; Outpost forwards none."),
    Known("stream-connection-header", "*", "*.header.connection", pushpin="Transfer-Encoding", outpost=None,
          why="Pushpin's connection manager sends 'Connection: Transfer-Encoding' on chunked responses."),
    Known("passthrough-streamed-framing",
          ["passthrough.chunked", "passthrough.close-delimited", "passthrough.chunked-request-body"],
          ["client.framing", "client.header.content-length", "client.header.transfer-encoding", "client.after",
           "origin.header.content-length", "origin.header.transfer-encoding"],
          why="Pushpin buffers small chunked or close-delimited bodies and re-frames them with Content-Length; "
              "Outpost streams them (both directions)."),
    Known("origin-breaks-off", "passthrough.short-body", ["client.after", "client.complete", "client.body"],
          why="Pushpin leaves the client hanging when the origin breaks off mid-body; Outpost closes the connection."),
    Known("reason-phrase-418", "grip.status-code-only", "client.status",
          pushpin="418 Undefined Reason", outpost=r"418 .+",
          why="Pushpin's reason table lacks 418; Outpost uses the standard phrase."),
    Known("debug-error-text", ["grip.invalid-*-debug", "grip.instruct-too-large-debug", "passthrough.*-debug"],
          "client.body", pushpin=r"(Failed to parse accept instructions|GRIP instruct|Unable to connect).*",
          outpost=r".+\n",
          why="With debug on, Outpost's 502 bodies use its own error messages (value, reason, expectation)."),
    Known("grip-feature-list", "*", "origin*.header.grip-feature",
          why="Grip-Feature lists the features each implementation supports."),
    Known("ws-ping-payload", "ws.origin-ping-close", ["client.frames", "origin.frames"],
          why="Pushpin 1.36 drops the payload of pings and pongs it relays; Outpost keeps it (RFC 6455 5.5.3)."),
    Known("ws-rejection-connection-close", ["ws.*", "woh.*"], "handshake.header.connection",
          pushpin=None, outpost="close",
          why="Both close the connection after a refused WebSocket handshake; Outpost says so in the response."),
]


# --------------------------------------------------------------------------------------------------------------------
# Small utilities
# --------------------------------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------------------------
# Raw HTTP client
# --------------------------------------------------------------------------------------------------------------------

class Conn:
    def __init__(self, port, timeout=5.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.eof = False

    def send(self, data):
        try:
            self.sock.sendall(data)
            return None
        except OSError as e:
            return type(e).__name__

    def _fill(self, deadline):
        remaining = deadline - time.time()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        try:
            d = self.sock.recv(65536)
        except ConnectionResetError:
            d = b""
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def read_until(self, sep, deadline):
        while sep not in self.buf:
            if self.eof or not self._fill(deadline):
                raise EOFError()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n, deadline, sink=None):
        while len(self.buf) < n:
            if self.eof or not self._fill(deadline):
                raise EOFError()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def after_state(self, wait):
        """'closed' when the peer closes within `wait` seconds, 'open' when it stays silent, 'data' if it sends more."""
        if self.eof:
            return "closed"
        if self.buf:
            return "data"
        try:
            self.sock.settimeout(wait)
            d = self.sock.recv(1024)
        except socket.timeout:
            return "open"
        except OSError:
            return "closed"
        if not d:
            self.eof = True
            return "closed"
        self.buf += d
        return "data"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Response:
    def __init__(self):
        self.version = None
        self.status = None
        self.headers = []
        self.body = b""
        self.chunks = []
        self.framing = None
        self.complete = False
        self.after = None
        self.error = None
        self.head_at = None
        self.lock = threading.Lock()

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(vals) if vals else None

    def body_now(self):
        with self.lock:
            return self.body


def read_response(conn, deadline, resp=None, head_request=False, after_wait=0.25):
    """Reads one response; fills `resp` progressively (so a held stream can be inspected while it is read)."""
    resp = resp or Response()
    try:
        while True:
            head = conn.read_until(b"\r\n\r\n", deadline)
            lines = head[:-4].split(b"\r\n")
            parts = lines[0].decode("latin-1").split(" ", 2)
            resp.version = parts[0]
            resp.status = " ".join(parts[1:])
            resp.headers = []
            for line in lines[1:]:
                k, _, v = line.decode("latin-1").partition(":")
                resp.headers.append((k.strip(), v.strip()))
            if not parts[1].startswith("1") or parts[1] == "101":
                break
        resp.head_at = time.time()
        code = int(parts[1])
        te = (resp.header("transfer-encoding") or "").lower()
        cl = resp.header("content-length")
        if head_request or code in (101, 204, 304):
            resp.framing = "none"
        elif "chunked" in te:
            resp.framing = "chunked"
            while True:
                size_line = conn.read_until(b"\r\n", deadline)
                n = int(size_line.split(b";")[0].strip(), 16)
                data = conn.read_exact(n + 2, deadline)[:n]
                with resp.lock:
                    resp.chunks.append(data)
                    resp.body += data
                if n == 0:  # read_exact consumed the CRLF that ends an empty trailer section
                    break
        elif cl is not None:
            resp.framing = "content-length"
            resp.body = conn.read_exact(int(cl), deadline)
        else:
            resp.framing = "close"
            while not conn.eof:
                if conn.buf:
                    with resp.lock:
                        resp.body += conn.buf
                    conn.buf = b""
                conn._fill(deadline)
            with resp.lock:
                resp.body += conn.buf
            conn.buf = b""
        resp.complete = True
        resp.after = conn.after_state(after_wait) if after_wait else None
    except socket.timeout:
        resp.error = "timeout" if resp.status else "no-response"
        _keep_partial(resp, conn)
        resp.after = "open"
    except EOFError:
        resp.error = "eof" if resp.status else "closed-without-response"
        _keep_partial(resp, conn)
        resp.after = "closed"
    except OSError as e:
        resp.error = type(e).__name__
        resp.after = "closed"
    return resp


def _keep_partial(resp, conn):
    """A body cut short is still worth comparing (what did the client get before the stall or close?)."""
    if resp.status and resp.framing != "chunked":
        with resp.lock:
            resp.body += conn.buf
        conn.buf = b""


def build_request(method, path, host="o.test", headers=(), body=None, version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, path, version)]
    if host is not None:
        lines.append("Host: " + host)
    for k, v in headers:
        lines.append("%s: %s" % (k, v))
    if isinstance(body, str):
        body = body.encode()
    if body is not None and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


class Pending:
    """A request read in a background thread (for holds)."""

    def __init__(self, port, raw, max_time, after_wait):
        self.resp = Response()
        self.conn = Conn(port, timeout=max_time)
        self.conn.send(raw)
        self.deadline = time.time() + max_time
        self.thread = threading.Thread(target=self._run, args=(after_wait,), daemon=True)
        self.thread.start()

    def _run(self, after_wait):
        read_response(self.conn, self.deadline, self.resp, after_wait=after_wait)

    def wait_head(self, timeout):
        end = time.time() + timeout
        while self.resp.head_at is None and time.time() < end and self.thread.is_alive():
            time.sleep(0.01)
        return self.resp.head_at is not None

    def wait_body(self, needle, timeout):
        end = time.time() + timeout
        while needle not in self.resp.body_now() and time.time() < end and self.thread.is_alive():
            time.sleep(0.01)
        return needle in self.resp.body_now()

    def result(self):
        self.thread.join(max(0.0, self.deadline - time.time()) + 3)
        self.conn.close()
        return self.resp


# --------------------------------------------------------------------------------------------------------------------
# Scripted origin
# --------------------------------------------------------------------------------------------------------------------

class OriginRequest:
    def __init__(self, line, headers, body):
        self.line = line
        parts = line.split(" ")
        self.method = parts[0]
        self.target = parts[1] if len(parts) > 1 else ""
        self.path = self.target.split("?")[0]
        self.headers = headers
        self.body = body

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return ", ".join(vals) if vals else None


def http_response(code=200, reason=None, headers=(), body=b"", length=True):
    reasons = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 404: "Not Found", 500: "Internal Server Error"}
    if isinstance(body, str):
        body = body.encode()
    lines = ["HTTP/1.1 %d %s" % (code, reason or reasons.get(code, "Status"))]
    lines += ["%s: %s" % (k, v) for k, v in headers]
    if length and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Origin:
    """Origin server on raw sockets: exact bytes out, exact requests recorded."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.scripts = {}
        self.log = []
        self.cond = threading.Condition()
        self.closing = False
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def on(self, path, response):
        """response: bytes, or callable(OriginRequest) -> bytes | None (None = close without answering)."""
        self.scripts[path] = response

    def requests(self, path):
        with self.cond:
            return [r for r in self.log if r.path == path]

    def wait(self, path, count=1, timeout=5.0):
        end = time.time() + timeout
        with self.cond:
            while len([r for r in self.log if r.path == path]) < count:
                left = end - time.time()
                if left <= 0:
                    raise ScenarioError("origin never received %s (#%d)" % (path, count))
                self.cond.wait(left)
            return [r for r in self.log if r.path == path][count - 1]

    def seen(self, path, timeout=2.0):
        """Like wait(), but None when the request never arrives (the proxy may rightly refuse it)."""
        try:
            return self.wait(path, 1, timeout)
        except ScenarioError:
            return None

    def close(self):
        self.closing = True
        try:
            self.sock.close()
        except OSError:
            pass
        for c in list(self.conns):
            try:
                c.close()
            except OSError:
                pass

    def _accept(self):
        while not self.closing:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        conn = Conn.__new__(Conn)
        conn.sock, conn.buf, conn.eof = c, b"", False
        try:
            while not self.closing:
                deadline = time.time() + 120
                head = conn.read_until(b"\r\n\r\n", deadline)
                lines = head[:-4].decode("latin-1").split("\r\n")
                headers = []
                for line in lines[1:]:
                    k, _, v = line.partition(":")
                    headers.append((k.strip(), v.strip()))
                req = OriginRequest(lines[0], headers, b"")
                te = (req.header("transfer-encoding") or "").lower()
                if "chunked" in te:
                    body = b""
                    while True:
                        n = int(conn.read_until(b"\r\n", deadline).split(b";")[0].strip(), 16)
                        body += conn.read_exact(n + 2, deadline)[:n]
                        if n == 0:
                            break
                    req.body = body
                elif req.header("content-length"):
                    req.body = conn.read_exact(int(req.header("content-length")), deadline)
                with self.cond:
                    self.log.append(req)
                    self.cond.notify_all()
                script = self.scripts.get(req.path)
                if isinstance(script, WsOrigin):
                    script.serve(conn, req)
                    break
                if script is None:
                    out = http_response(404, body="no script for %s\n" % req.path)
                elif callable(script):
                    out = script(req)
                else:
                    out = script
                if out is None:
                    break
                c.sendall(out)
                if b"\r\nconnection: close\r\n" in out.split(b"\r\n\r\n")[0].lower() + b"\r\n":
                    break
        except (EOFError, OSError, socket.timeout, ValueError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass



# --------------------------------------------------------------------------------------------------------------------
# WebSocket client and WebSocket-over-HTTP events (issue P2)
# --------------------------------------------------------------------------------------------------------------------

WS_KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # fixed, so Sec-WebSocket-Accept is comparable


WS_OPS = {1: "TEXT", 2: "BINARY", 8: "CLOSE", 9: "PING", 10: "PONG"}


def ws_frame(opcode, payload, masked):
    if isinstance(payload, str):
        payload = payload.encode()
    head = bytes([0x80 | opcode])
    bit = 0x80 if masked else 0
    n = len(payload)
    if n < 126:
        head += bytes([bit | n])
    elif n < 65536:
        head += bytes([bit | 126]) + n.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def ws_read(conn, deadline):
    """One frame as (OPNAME, payload); None on timeout, ("EOF", b"") when the peer is gone."""
    try:
        b0, b1 = conn.read_exact(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(conn.read_exact(2, deadline), "big")
        elif n == 127:
            n = int.from_bytes(conn.read_exact(8, deadline), "big")
        mask = conn.read_exact(4, deadline) if b1 & 0x80 else None
        data = conn.read_exact(n, deadline)
        if mask:
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    except socket.timeout:
        return None
    except (EOFError, OSError):
        return ("EOF", b"")
    return (WS_OPS.get(b0 & 0x0F, "OP%d" % (b0 & 0x0F)), data)


def ws_frames_text(frames):
    out = []
    for op, data in frames:
        if op == "CLOSE" and len(data) >= 2:
            out.append("CLOSE %d %s" % (int.from_bytes(data[:2], "big"), data[2:].decode("utf-8", "replace")))
        else:
            out.append(("%s %s" % (op, data.decode("utf-8", "backslashreplace"))).rstrip())
    return out


class WsOrigin:
    """Origin answer for a WebSocket upgrade: 101 with `headers`, then `run(ws)` talks frames (server side)."""

    def __init__(self, run, headers=()):
        self.run = run
        self.headers = list(headers)

    def serve(self, conn, req):
        key = req.header("sec-websocket-key") or ""
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        hs = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", accept.decode())]
        conn.sock.sendall(http_response(101, "Switching Protocols", hs + self.headers, length=False))
        self.run(WsPeer(conn))


class WsPeer:
    def __init__(self, conn):
        self.conn = conn
        self.frames = []

    def send(self, opcode, payload=b""):
        self.conn.sock.sendall(ws_frame(opcode, payload, masked=False))

    def read(self, timeout):
        f = ws_read(self.conn, time.time() + timeout)
        if f and f[0] != "EOF":
            self.frames.append(f)
        return f


class WsClient:

    def __init__(self, port, path, host, headers=(), timeout=5.0):
        self.conn = Conn(port, timeout)
        hs = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", WS_KEY),
              ("Sec-WebSocket-Version", "13")] + list(headers)
        self.conn.send(build_request("GET", path, host, hs))
        self.handshake = read_response(self.conn, time.time() + timeout, head_request=True, after_wait=0)
        self.frames = []

    @property
    def upgraded(self):
        return (self.handshake.status or "").startswith("101")

    def send(self, opcode, payload=b""):
        self.conn.send(ws_frame(opcode, payload, masked=True))

    def close(self, code=1000, reason=""):
        self.send(8, code.to_bytes(2, "big") + reason.encode())

    def read_frame(self, timeout):
        frame = ws_read(self.conn, time.time() + timeout)
        if frame is not None and frame[0] != "EOF":
            self.frames.append(frame)
        return frame

    def read_until(self, pred, timeout):
        end = time.time() + timeout
        while time.time() < end:
            f = self.read_frame(end - time.time())
            if f is None or f[0] == "EOF":
                return f
            if pred(f):
                return f
        return None

    def frames_text(self):
        return ws_frames_text(self.frames)

    def shutdown(self):
        self.conn.close()


def woh_events(body):
    """Parses application/websocket-events into [(type, content)]; hex sizes in either case."""
    out, i = [], 0
    while i < len(body):
        j = body.index(b"\r\n", i)
        line = body[i:j].decode("latin-1")
        i = j + 2
        typ, _, size = line.partition(" ")
        data = b""
        if size:
            n = int(size, 16)
            data = body[i:i + n]
            i += n + 2
        out.append((typ, data))
    return out


def woh_encode(events):
    out = b""
    for typ, data in events:
        if isinstance(data, str):
            data = data.encode()
        out += (typ.encode() + b" %x\r\n" % len(data) + data + b"\r\n") if data else typ.encode() + b"\r\n"
    return out


def woh_text(events):
    res = []
    for typ, data in events:
        if typ == "CLOSE" and len(data) >= 2:
            res.append("CLOSE %d %s" % (int.from_bytes(data[:2], "big"), data[2:].decode("utf-8", "replace")))
        else:
            res.append(("%s %s" % (typ, data.decode("utf-8", "backslashreplace"))).rstrip())
    return res

# --------------------------------------------------------------------------------------------------------------------
# Targets (the two proxies)
# --------------------------------------------------------------------------------------------------------------------

def route_lines(origin_port, dead_port):
    o = "127.0.0.1:%d" % origin_port
    return [
        "o.test %s" % o,
        "localhost %s" % o,
        "test.test test",
        "dead.test 127.0.0.1:%d" % dead_port,
        "split.test,path_beg=/t test",
        "pref.test,path_beg=/a test",
        "pref.test,path_beg=/a/b %s" % o,
        "sig.test,sig_key=%s,sig_iss=routeiss %s" % (ROUTE_SIG_KEY, o),
        "repl.test,path_beg=/api,replace_beg=/v1 %s" % o,
        "pfx.test,prefix=p- %s" % o,
        "nogrip.test,no_grip %s" % o,
        "woh.test %s,over_http" % o,
        "fail.test 127.0.0.1:%d %s" % (dead_port, o),
        "wohfail.test 127.0.0.1:%d,over_http %s,over_http" % (dead_port, o),
        "hdr.test,header=X-Added:yes,header=User-Agent: %s" % o,
        "rid.test,id=alpha %s" % o,
    ]


PROFILES = {
    "default": {"debug": False, "accept_pushpin_route": False},
    "debug": {"debug": True, "accept_pushpin_route": False},
    "route-header": {"debug": False, "accept_pushpin_route": True},
}


class Target:
    name = "?"

    def __init__(self, args):
        self.args = args
        self.proc = None
        self.dir = None
        self.profile = None
        self.log_path = None

    def start(self, profile, origin_port):
        self.stop()
        self.profile = profile
        self.dir = tempfile.mkdtemp(prefix="outpost-compat-%s-" % self.name)
        self.proxy_port = free_port()
        self.publish_port = free_port()
        self.dead_port = free_port()
        with open(os.path.join(self.dir, "routes"), "w") as f:
            f.write("\n".join(route_lines(origin_port, self.dead_port)) + "\n")
        cmd = self.prepare(PROFILES[profile])
        self.log_path = os.path.join(self.dir, "output.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.wait_ready()

    def wait_ready(self):
        end = time.time() + self.start_timeout()
        while time.time() < end:
            if self.proc.poll() is not None:
                raise ScenarioError("%s exited with %s during start-up; log: %s\n%s" % (
                    self.name, self.proc.returncode, self.log_path, self.log_tail()))
            if self._port_open(self.proxy_port) and self._port_open(self.publish_port):
                time.sleep(0.3)
                return
            time.sleep(0.1)
        raise ScenarioError("%s did not open ports %d/%d within %ds; log: %s\n%s" % (
            self.name, self.proxy_port, self.publish_port, self.start_timeout(), self.log_path, self.log_tail()))

    @staticmethod
    def _port_open(port):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def log_tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is None:
            return
        pid = self.proc.pid
        if self.proc.poll() is None:
            try:
                os.killpg(pid, signal.SIGTERM)
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        # Pushpin's runner puts each child in its own process group: sweep the whole session too.
        for _ in range(2):
            left = session_members(pid)
            if not left:
                break
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None
        if self.dir and not self.args.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def session_members(sid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) == sid:  # fields after comm: state ppid pgrp session ...
                out.append(int(d))
        except (OSError, ValueError, IndexError):
            pass
    return out


class PushpinTarget(Target):
    name = "pushpin"

    def start_timeout(self):
        return 30

    def prepare(self, profile):
        libdir = "/usr/lib/pushpin"
        with open(os.path.join(libdir, "internal.conf")) as f:
            internal = f.read()
        # The Debian package wires zurl to a system-wide instance; run our own inside rundir.
        internal = re.sub(r"ipc:///var/run/zurl/(zurl-[a-z-]+)", r"ipc://{rundir}/{ipc_prefix}\1", internal)
        with open(os.path.join(self.dir, "internal.conf"), "w") as f:
            f.write(internal)
        os.makedirs(os.path.join(self.dir, "run"), exist_ok=True)
        base = 30000 + (os.getpid() * 7 + int(time.time())) % 20000
        conf = """[global]
include=%(dir)s/internal.conf
rundir=%(dir)s/run
ipc_prefix=cmp%(pid)d-
[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:%(proxy)d
logdir=%(dir)s
log_level=2
[proxy]
routesfile=routes
debug=%(debug)s
accept_pushpin_route=%(apr)s
sig_iss=pushpin
sig_key=%(key)s
[handler]
push_in_spec=tcp://127.0.0.1:%(p1)d
push_in_sub_specs=tcp://127.0.0.1:%(p2)d
push_in_http_addr=127.0.0.1
push_in_http_port=%(publish)d
stats_spec=ipc://{rundir}/{ipc_prefix}stats
command_spec=tcp://127.0.0.1:%(p3)d
message_wait=5000
id_cache_ttl=60
""" % dict(dir=self.dir, pid=os.getpid(), proxy=self.proxy_port, publish=self.publish_port,
           debug="true" if profile["debug"] else "false", key=SIG_KEY,
           apr="true" if profile["accept_pushpin_route"] else "false",
           p1=free_port(), p2=free_port(), p3=free_port())
        path = os.path.join(self.dir, "pushpin.conf")
        with open(path, "w") as f:
            f.write(conf)
        return [self.args.pushpin_bin, "--config", path, "--merge-output"]


class OutpostTarget(Target):
    name = "outpost"

    def start_timeout(self):
        return self.args.outpost_start_timeout

    def prepare(self, profile):
        conf = """[runner]
http_port=%(proxy)d
log_level=2
[proxy]
routesfile=routes
debug=%(debug)s
accept_pushpin_route=%(apr)s
sig_iss=pushpin
sig_key=%(key)s
[handler]
push_in_http_addr=127.0.0.1
push_in_http_port=%(publish)d
message_wait=5000
id_cache_ttl=60
""" % dict(proxy=self.proxy_port, publish=self.publish_port, debug="true" if profile["debug"] else "false",
           apr="true" if profile["accept_pushpin_route"] else "false", key=SIG_KEY)
        path = os.path.join(self.dir, "pushpin.conf")
        with open(path, "w") as f:
            f.write(conf)
        return shlex.split(self.args.outpost_cmd) + ["proxy", "--config", path]


# --------------------------------------------------------------------------------------------------------------------
# Scenario context and observations
# --------------------------------------------------------------------------------------------------------------------

IGNORED_HEADERS = {"date"}


class Ctx:
    def __init__(self, name, target, origin, args):
        self.name = name
        self.target = target
        self.origin = origin
        self.args = args
        self.base = "/" + name.replace(".", "/")
        self.obs = {}
        # one origin serves both proxies: forget what the other one sent for this scenario
        with origin.cond:
            origin.log[:] = [r for r in origin.log if not r.path.startswith(self.base)]

    # paths unique per scenario so stray requests never mix
    def p(self, suffix=""):
        return self.base + suffix

    def request(self, method="GET", path=None, host="o.test", headers=(), body=None, version="HTTP/1.1",
                raw=None, timeout=5.0, after_wait=0.25, port=None):
        raw = raw if raw is not None else build_request(method, path or self.p(), host, headers, body, version)
        conn = Conn(port or self.target.proxy_port, timeout)
        err = conn.send(raw)
        resp = read_response(conn, time.time() + timeout, head_request=(method == "HEAD"), after_wait=after_wait)
        if err and not resp.status:
            resp.error = err
        conn.close()
        return resp

    def start(self, method="GET", path=None, host="o.test", headers=(), body=None, version="HTTP/1.1",
              max_time=8.0, after_wait=0.25):
        raw = build_request(method, path or self.p(), host, headers, body, version)
        return Pending(self.target.proxy_port, raw, max_time, after_wait)

    def hold_ready(self, path=None, count=1):
        """Waits until the origin answered the request that creates the hold, then lets the proxy register it."""
        self.origin.wait(path or self.p(), count)
        time.sleep(self.args.settle)

    def publish(self, items=None, body=None, accept=None, path="/publish", method="POST", headers=(), raw=None,
                timeout=5.0):
        if raw is None:
            if body is None:
                body = json.dumps({"items": items})
            hs = list(headers)
            if accept is not None:
                hs.append(("Accept", accept))
            raw = build_request(method, path, "localhost", hs, body if method != "GET" else None)
        conn = Conn(self.target.publish_port, timeout)
        err = conn.send(raw)
        resp = read_response(conn, time.time() + timeout, after_wait=0.3)
        if err and not resp.status:
            resp.error = err
        conn.close()
        return resp

    def publish_ok(self, items):
        r = self.publish(items)
        if not (r.status or "").startswith("200"):
            raise ScenarioError("publish failed: %s %r" % (r.status, r.body))

    # recording
    def record_response(self, key, resp, body=True):
        o = self.obs
        o[key + ".status"] = resp.status
        o[key + ".version"] = resp.version
        for name, value in norm_headers(resp.headers, self.jwt_keys()).items():
            o[key + ".header." + name] = value
        if body:
            o[key + ".body"] = text(resp.body)
        o[key + ".framing"] = resp.framing
        o[key + ".complete"] = resp.complete
        o[key + ".after"] = resp.after
        if resp.error:
            o[key + ".error"] = resp.error

    def record_origin(self, key, req):
        o = self.obs
        if req is None:
            o[key + ".request"] = None
            return
        o[key + ".request"] = req.line
        for name, value in norm_headers(req.headers, self.jwt_keys()).items():
            o[key + ".header." + name] = value
        o[key + ".body"] = text(req.body)

    def record(self, key, value):
        self.obs[key] = value

    @staticmethod
    def jwt_keys():
        return [("sig_key", SIG_KEY), ("route", ROUTE_SIG_KEY)]


def norm_headers(headers, keys):
    out = {}
    for k, v in headers:
        name = k.lower()
        if name in IGNORED_HEADERS:
            continue
        if name == "grip-sig":
            v = normalise_jwt(v, keys)
        elif name == "connection-id":
            v = "<id>"
        elif name == "sec-websocket-key" and v != WS_KEY:
            v = "<generated by the proxy>"
        out[name] = v if name not in out else out[name] + "\n" + v
    return out


# --------------------------------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------------------------------

SCENARIOS = []


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


# --- publish endpoint ---------------------------------------------------------------------------------------------

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


def record_masked_body(c, r, value, mask):
    """Bodies that name a per-run port: mask it, and make Content-Length relative to the masked body."""
    body = r.body.replace(value.encode(), mask.encode())
    c.record("client.body", text(body))
    if r.header("content-length") is not None:
        c.record("client.header.content-length",
                 "len(body)%+d" % (int(r.header("content-length")) - len(r.body)))


# --- passthrough ----------------------------------------------------------------------------------------------------

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
    c.origin.on(c.p(), http_response(201, headers=[("Content-Type", "text/plain")], body="made\n"))
    c.record_response("client", c.request("POST", headers=[("Content-Type", "application/json")], body='{"a":1}'))
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.http10")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ten\n"))
    c.record_response("client", c.request(version="HTTP/1.0", host=None))
    c.record_origin("origin", c.origin.seen(c.p()))


@scenario("passthrough.chunked")
def _(c):
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                       b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    c.record_response("client", c.request())


@scenario("passthrough.close-delimited")
def _(c):
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil-close")
    c.record_response("client", c.request())


@scenario("passthrough.status-reason")
def _(c):
    c.origin.on(c.p(), http_response(404, "Nope", headers=[("Content-Type", "text/plain")], body="nah\n"))
    c.record_response("client", c.request())


@scenario("passthrough.no-content")
def _(c):
    c.origin.on(c.p(), b"HTTP/1.1 204 No Content\r\n\r\n")
    c.record_response("client", c.request())


@scenario("passthrough.origin-closes")
def _(c):
    c.origin.on(c.p(), lambda req: None)
    c.record_response("client", c.request())


@scenario("passthrough.origin-garbage")
def _(c):
    c.origin.on(c.p(), b"NOT HTTP AT ALL\r\n\r\n")
    c.record_response("client", c.request())


@scenario("passthrough.short-body")
def _(c):
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly-some")
    c.record_response("client", c.request(timeout=3.0))


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
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    c.record_response("client", c.request(timeout=8))


@scenario("passthrough.large-request-body")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="got it\n"))
    c.record_response("client", c.request("POST", body=b"z" * 300000, headers=[("Content-Type", "text/plain")],
                                          timeout=8))
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.chunked-request-body")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ok\n"))
    c.record_response("client", c.request("POST", headers=[("Transfer-Encoding", "chunked")],
                                          body=b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"))
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("passthrough.head")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Content-Length", "5")]))
    c.record_response("client", c.request("HEAD"))
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


# --- GRIP -----------------------------------------------------------------------------------------------------------

LP_HEADERS = [("Content-Type", "text/plain"), ("Grip-Hold", "response"), ("X-Orig", "keep"), ("X-Over", "orig")]


def lp_origin(c, channel, extra=(), body="timeout\n", code=200, reason=None):
    c.origin.on(c.p(), http_response(code, reason, headers=LP_HEADERS + [("Grip-Channel", channel)] + list(extra),
                                     body=body))


@scenario("grip.longpoll-publish")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch, body="pub\n", headers={"X-Over": "pub", "X-New": "n"})])
    c.record_response("client", h.result())
    c.record_origin("origin", c.origin.requests(c.p())[0])


@scenario("grip.longpoll-publish-code-reason-list-headers")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch, code=404, reason="Gone Fishing", body="pub\n",
                                headers=[["Content-Type", "application/json"], ["X-A", "1"], ["X-A", "2"]])])
    c.record_response("client", h.result())


@scenario("grip.longpoll-publish-body-bin")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch, code=202)
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch, **{"body-bin": "aGk="})])
    c.record_response("client", h.result())


@scenario("grip.longpoll-legacy-format")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch)
    h = c.start()
    c.hold_ready()
    c.publish_ok([{"channel": ch, "http-response": {"body": "legacy"}}])
    c.record_response("client", h.result())


@scenario("grip.longpoll-second-channel")
def _(c):
    ch = "lp-" + c.name
    lp_origin(c, ch + "a, " + ch + "b")
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch + "b", body="two")])
    c.record_response("client", h.result())


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
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "stream"),
                                                   ("Grip-Channel", ch), ("X-Orig", "keep")], body="first\n"))
    h = c.start()
    c.hold_ready()
    c.publish_ok([stream_item(ch, "one\n")])
    h.wait_body(b"one\n", 3)
    c.publish_ok([stream_item(ch, **{"content-bin": "dHdvCg=="})])
    h.wait_body(b"two\n", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())


@scenario("grip.stream-status-chunked-origin")
def _(c):
    ch = "st-" + c.name
    c.origin.on(c.p(), b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nGrip-Hold: stream\r\nGrip-Channel: " +
                ch.encode() + b"\r\nGrip-Status: 202 Streaming\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"2\r\nab\r\n0\r\n\r\n")
    h = c.start()
    c.hold_ready()
    c.publish_ok([stream_item(ch, "x")])
    h.wait_body(b"abx", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())


@scenario("grip.stream-http10")
def _(c):
    ch = "st-" + c.name
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "stream"),
                                                   ("Grip-Channel", ch)], body="first\n"))
    h = c.start(version="HTTP/1.0", host=None, max_time=6)
    if c.origin.seen(c.p()) is None:
        c.record_response("client", h.result())
        return
    time.sleep(c.args.settle)
    c.publish_ok([stream_item(ch, "one\n")])
    h.wait_body(b"one\n", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())


@scenario("grip.stream-keep-alive")
def _(c):
    ch = "st-" + c.name
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/event-stream"), ("Grip-Hold", "stream"),
                                                   ("Grip-Channel", ch),
                                                   ("Grip-Keep-Alive", ":ka\\n\\n; format=cstring; timeout=1")],
                                     body="first\n"))
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
    c.origin.on(c.p(), http_response(200, headers=LP_HEADERS + [("Grip-Channel", ch + "a; filter=skip-self"),
                                                                ("Grip-Channel", ch + "b")], body="timeout\n"))
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch + "b", body="from b\n")])
    c.record_response("client", h.result())


@scenario("grip.stream-large-initial-body")
def _(c):
    ch = "st-" + c.name
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "stream"),
                                                   ("Grip-Channel", ch)], body=b"s" * 150000))
    h = c.start()
    c.hold_ready()
    h.wait_body(b"s" * 150000, 4)
    c.publish_ok([stream_item(ch, "tail\n")])
    h.wait_body(b"tail\n", 3)
    c.publish_ok([stream_item(ch, action="close")])
    c.record_response("client", h.result())


@scenario("grip.instruct-json-body")
def _(c):
    ch = "gi-" + c.name
    instruct = {"hold": {"mode": "response", "channels": [{"name": ch}], "timeout": 30},
                "response": {"code": 202, "headers": {"X-From": "instruct"}, "body": "timeout body\n"}}
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "application/grip-instruct")],
                                     body=json.dumps(instruct)))
    h = c.start()
    c.hold_ready()
    c.publish_ok([response_item(ch, body="published\n")])
    c.record_response("client", h.result())


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
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Status", "404 Not Here")],
                                     body="nf\n"))
    c.record_response("client", c.request())


@scenario("grip.status-code-only")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Status", "418")],
                                     body="tea\n"))
    c.record_response("client", c.request())


@scenario("grip.unknown-grip-header")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Whatever", "x"),
                                                   ("X-A", "b")], body="plain\n"))
    c.record_response("client", c.request())


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
                c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")] + hdrs, body="nf\n"))
                c.record_response("client", c.request())
            return run
        scenario("grip.invalid-%s%s" % (_name, "-debug" if _prof == "debug" else ""), profile=_prof)(_mk(_hdrs))


@scenario("grip.instruct-too-large-debug", profile="debug")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain"), ("Grip-Hold", "response"),
                                                   ("Grip-Channel", "big")], body=b"x" * 100001))
    r = c.request()
    c.record_response("client", r, body=False)
    record_masked_body(c, r, str(c.origin.port), "<origin-port>")


@scenario("grip.client-grip-headers-stripped")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="ok\n"))
    c.request(headers=[("Grip-Hold", "stream"), ("Grip-Channel", "evil"), ("Grip-Last", "x; last-id=1")])
    c.record_origin("origin", c.origin.wait(c.p()))


@scenario("grip.prefix-route")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=LP_HEADERS + [("Grip-Channel", "pc")], body="timeout\n"))
    h = c.start(host="pfx.test")
    c.hold_ready()
    c.publish_ok([response_item("p-pc", body="prefixed\n")])
    c.record_response("client", h.result())


# --- delivery semantics (issue P3) -----------------------------------------------------------------------------------

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



# --- WebSocket origins (issue P2) -----------------------------------------------------------------------------------

@scenario("ws.passthrough")
def _(c):
    got = {}

    def run(ws):
        f = ws.read(5)
        if f and f[0] == "TEXT":
            ws.send(1, b"echo " + f[1])
        f = ws.read(5)
        if f and f[0] == "CLOSE":
            ws.send(8, f[1])
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run, headers=[("Sec-WebSocket-Protocol", "chat")]))
    ws = WsClient(c.target.proxy_port, c.p(), "o.test", headers=[("Sec-WebSocket-Protocol", "chat, other"),
                                                                  ("Sec-WebSocket-Extensions", "permessage-deflate")])
    c.record_response("handshake", ws.handshake, body=False)
    c.record_origin("origin", c.origin.seen(c.p()))
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(1, "hi")
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    ws.close(4000, "done")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    time.sleep(0.2)
    c.record("client.frames", ws.frames_text())
    c.record("origin.frames", got.get("frames"))


@scenario("ws.grip-subscribe-publish")
def _(c):
    ch = "wsg-" + c.name
    got = {}

    def run(ws):
        ws.send(1, 'c:{"type": "subscribe", "channel": "%s"}' % ch)
        ws.send(1, "m:hello from origin")
        ws.send(1, "unprefixed is dropped")
        f = ws.read(6)
        if f and f[0] == "TEXT":
            ws.send(1, b"m:echo " + f[1])
        f = ws.read(6)
        if f and f[0] == "CLOSE":
            ws.send(8, f[1])
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run, headers=[("Sec-WebSocket-Extensions", "grip")]))
    ws = WsClient(c.target.proxy_port, c.p(), "o.test")
    c.record_response("handshake", ws.handshake, body=False)
    c.record_origin("origin", c.origin.seen(c.p()))
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.read_until(lambda f: f[0] == "TEXT" and b"hello" in f[1], 3)
    time.sleep(c.args.settle)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"content": "published"}}}])
    ws.read_until(lambda f: f[1] == b"published", 3)
    ws.send(1, "ping me")
    ws.read_until(lambda f: f[0] == "TEXT" and b"echo" in f[1], 3)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"action": "close", "code": 4001, "reason": "bye"}}}])
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    time.sleep(0.2)
    c.record("client.frames", ws.frames_text())
    c.record("origin.frames", got.get("frames"))


# --- WebSocket-over-HTTP (issue P2) --------------------------------------------------------------------------------

@scenario("woh.open-message-publish-close")
def _(c):
    ch = "ws-" + c.name

    def answer(req):
        evs = woh_events(req.body)
        reply = []
        for typ, data in evs:
            if typ == "OPEN":
                reply += [("OPEN", b""), ("TEXT", 'c:{"type": "subscribe", "channel": "%s"}' % ch)]
            elif typ == "TEXT":
                reply.append(("TEXT", b"m:echo " + data))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", 'grip; message-prefix="m:"')],
                             body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test", headers=[("Sec-WebSocket-Protocol", "chat")])
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    time.sleep(c.args.settle)
    ws.send(1, "hello")
    ws.read_until(lambda f: f[0] == "TEXT" and b"echo" in f[1], 3)
    c.publish_ok([{"channel": ch, "formats": {"ws-message": {"content": "pushed"}}}])
    ws.read_until(lambda f: f[1] == b"pushed", 3)
    ws.close(1000, "bye")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:3]):
        c.record_origin("origin[%d]" % i, r)
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))



@scenario("woh.handshake-rejected")
def _(c):
    c.origin.on(c.p(), http_response(403, "Forbidden", headers=[("Content-Type", "text/plain"), ("X-Why", "nope")],
                                     body="go away\n"))
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    r = ws.handshake
    if not r.status or r.status.startswith("101"):
        c.record_response("handshake", r, body=False)
    else:
        ws.shutdown()
        conn = Conn(c.target.proxy_port, 5)  # read again with the body this time
        conn.send(build_request("GET", c.p(), "woh.test", [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                            ("Sec-WebSocket-Key", WS_KEY),
                                                            ("Sec-WebSocket-Version", "13")]))
        c.record_response("handshake", read_response(conn, time.time() + 5))
        conn.close()
    ws.shutdown()


@scenario("woh.meta-binary-ping")
def _(c):
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply.append(("OPEN", b""))
            elif typ == "BINARY":
                reply.append(("BINARY", data[::-1]))
            elif typ == "PING":
                reply.append(("PONG", data))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Set-Meta-User", "alice")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(2, b"\x01\x02\x03")
    ws.read_until(lambda f: f[0] == "BINARY", 3)
    ws.send(9, b"p")
    ws.read_until(lambda f: f[0] == "PONG", 3)
    ws.close(1001, "")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())
    for i, r in enumerate(reqs[:4]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))
        c.record("origin[%d].meta-user" % i, r.header("meta-user"))


@scenario("woh.origin-closes")
def _(c):
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply.append(("OPEN", b""))
            elif typ == "TEXT":
                reply += [("TEXT", b"m:" + data), ("TEXT", b"no prefix"), ("CLOSE", b"\x0f\xa3origin closes")]
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", "grip")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(1, "bye")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.close(4003, "ok")
    time.sleep(c.args.settle)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:6]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


@scenario("woh.client-disconnects")
def _(c):
    def answer(req):
        reply = [("OPEN", b"")] if any(t == "OPEN" for t, _ in woh_events(req.body)) else []
        return http_response(200, headers=[("Content-Type", "application/websocket-events")], body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    base = len(c.origin.requests(c.p()))  # the origin outlives one target's run
    ws = WsClient(c.target.proxy_port, c.p(), "woh.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.send(1, "last words")
    c.origin.wait(c.p(), base + 2)
    ws.shutdown()
    c.origin.seen(c.p(), 0)
    try:
        c.origin.wait(c.p(), base + 3, 3.0)
    except ScenarioError:
        pass
    reqs = c.origin.requests(c.p())[base:]
    c.record("origin.count", len(reqs))
    for i, r in enumerate(reqs[:6]):
        c.record("origin[%d].events" % i, woh_text(woh_events(r.body)))


@scenario("ws.origin-ping-close")
def _(c):
    got = {}

    def run(ws):
        ws.send(9, b"are you there")
        f = ws.read(5)
        ws.send(8, b"\x0f\xa2origin leaves")
        f = ws.read(5)
        got["frames"] = ws_frames_text(ws.frames)
    c.origin.on(c.p(), WsOrigin(run))
    ws = WsClient(c.target.proxy_port, c.p(), "o.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    f = ws.read_until(lambda f: f[0] == "PING", 3)
    if f and f[0] == "PING":
        ws.send(10, f[1])
    f = ws.read_until(lambda f: f[0] == "CLOSE", 3)
    if f and f[0] == "CLOSE":
        ws.send(8, f[1])
    time.sleep(c.args.settle)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())
    c.record("origin.frames", got.get("frames"))


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


@scenario("woh.failover-and-grip-prefix")
def _(c):
    def answer(req):
        reply = []
        for typ, data in woh_events(req.body):
            if typ == "OPEN":
                reply += [("OPEN", b""), ("TEXT", b"dropped: no prefix"), ("TEXT", b"p>kept")]
            elif typ == "TEXT":
                reply.append(("TEXT", b"p>" + data.upper()))
            elif typ == "CLOSE":
                reply.append(("CLOSE", data))
        return http_response(200, headers=[("Content-Type", "application/websocket-events"),
                                           ("Sec-WebSocket-Extensions", 'grip; message-prefix="p>"')],
                             body=woh_encode(reply))
    c.origin.on(c.p(), answer)
    ws = WsClient(c.target.proxy_port, c.p(), "wohfail.test")
    c.record_response("handshake", ws.handshake, body=False)
    if not ws.upgraded:
        ws.shutdown()
        return
    ws.read_until(lambda f: f[0] == "TEXT", 3)
    ws.send(1, "shout")
    ws.read_until(lambda f: f[0] == "TEXT" and f[1] == b"SHOUT", 3)
    ws.close(1000, "")
    ws.read_until(lambda f: f[0] == "CLOSE", 3)
    ws.shutdown()
    c.record("client.frames", ws.frames_text())


@scenario("woh.client-sends-events-itself")
def _(c):
    c.origin.on(c.p(), http_response(200, headers=[("Content-Type", "text/plain")], body="reached\n"))
    r = c.request("POST", host="woh.test", headers=[("Content-Type", "application/websocket-events")],
                  body=b"OPEN\r\n")
    c.record_response("client", r)
    c.record("origin.reached", c.origin.seen(c.p(), 1.0) is not None)


# --- built-in test target -------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------------------------------
# Running and comparing
# --------------------------------------------------------------------------------------------------------------------

def run_target(target, selected, origin, args):
    """Runs the selected scenarios against one target; returns {name: observations or {'!error': msg}}."""
    results = {}
    by_profile = {}
    for s in selected:
        by_profile.setdefault(s[1], []).append(s)
    for profile, items in by_profile.items():
        try:
            try:
                target.start(profile, origin.port)
            except ScenarioError as first:
                # a free port can be taken between probing and binding: one retry with fresh ports
                print("%s: %s; retrying once" % (target.name, str(first).splitlines()[0]), file=sys.stderr)
                target.start(profile, origin.port)
        except ScenarioError as e:
            for name, _, _, _ in items:
                results[name] = {"!error": "start-up failed: %s" % e}
            target.stop()
            continue
        try:
            for name, _, fn, _ in items:
                ctx = Ctx(name, target, origin, args)
                t0 = time.time()
                try:
                    fn(ctx)
                    results[name] = ctx.obs
                except ScenarioError as e:
                    results[name] = dict(ctx.obs, **{"!error": str(e)})
                except Exception as e:  # a broken scenario must not hide the others
                    results[name] = dict(ctx.obs, **{"!error": "%s: %s" % (type(e).__name__, e)})
                if args.verbose:
                    print("  [%s] %s (%.1fs)" % (target.name, name, time.time() - t0), file=sys.stderr)
        finally:
            target.stop()
    return results


def compare(name, a, b):
    """Returns a list of (field, pushpin value, outpost value, known id or None)."""
    diffs = []
    for field in sorted(set(a) | set(b)):
        va, vb = a.get(field), b.get(field)
        if va == vb:
            continue
        known = next((k.id for k in KNOWN if k.matches(name, field, va, vb)), None)
        if known is None and field.endswith(".header.content-length"):
            body = field[:-len(".header.content-length")] + ".body"
            if a.get(body) != b.get(body):
                known = next((k.id for k in KNOWN if k.matches(name, body, a.get(body), b.get(body))), None)
        diffs.append((field, va, vb, known))
    return diffs


def short(v, n=70):
    s = json.dumps(v) if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[:n - 3] + "..."


def print_observations(results, target_name):
    for name in results:
        print("== %s [%s]" % (name, target_name))
        for k, v in sorted(results[name].items()):
            print("   %-40s %s" % (k, short(v, 200)))


def check_docs():
    try:
        with open(DOC) as f:
            doc = f.read()
    except OSError:
        print("missing %s" % DOC)
        return 1
    ids = set(re.findall(r"\{#([a-z0-9-]+)\}", doc))
    known = {k.id for k in KNOWN}
    bad = 0
    for i in sorted(known - ids):
        print("KNOWN entry %r has no section {#%s} in docs/compatibility.md" % (i, i))
        bad = 1
    for i in sorted(ids - known):
        print("docs/compatibility.md section {#%s} has no KNOWN entry in compat/differential.py" % i)
        bad = 1
    if not bad:
        print("docs/compatibility.md and KNOWN agree (%d entries)" % len(known))
    return bad



def self_test():
    """Checks the script's own parsing and comparison helpers (no process is started)."""
    # JWT normalisation: exp relative to now, iat ignored, signature checked against the known keys
    def jwt(claims, key):
        enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
        head = enc({"typ": "JWT", "alg": "HS256"}) + "." + enc(claims)
        mac = hmac.new(key.encode(), head.encode(), hashlib.sha256).digest()
        return head + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    now = int(time.time())
    keys = Ctx.jwt_keys()
    assert normalise_jwt(jwt({"iss": "pushpin", "exp": now + 3600}, SIG_KEY), keys) == \
        "JWT alg=HS256 {exp=now+3600, iss=pushpin} signed:sig_key"
    assert normalise_jwt(jwt({"iss": "x", "exp": now + 3600, "iat": now}, ROUTE_SIG_KEY), keys) == \
        "JWT alg=HS256 {exp=now+3600, iss=x} signed:route"
    assert re.fullmatch(r"JWT alg=HS256 \{exp=now\+(59|60), iss=x\} bad-sig",
                        normalise_jwt(jwt({"iss": "x", "exp": now + 60}, "other"), keys))
    assert normalise_jwt("abc", keys).startswith("<not a JWT")
    # WebSocket-over-HTTP events: either hex case, content-less events, round trip
    evs = woh_events(b"OPEN\r\nTEXT 5\r\nhello\r\nBINARY A\r\n0123456789\r\nCLOSE 2\r\n\x03\xe8\r\n")
    assert [e[0] for e in evs] == ["OPEN", "TEXT", "BINARY", "CLOSE"] and evs[2][1] == b"0123456789"
    assert woh_events(woh_encode(evs)) == evs
    assert woh_text(evs)[-1] == "CLOSE 1000 "
    # header normalisation: names lower-cased, repeats joined in order, Date dropped
    assert norm_headers([("X-A", "1"), ("Date", "x"), ("x-a", "2"), ("Connection-Id", "7")], keys) == \
        {"x-a": "1\n2", "connection-id": "<id>"}
    # comparison: a known difference only when scenario, field and both values match
    k = Known("t", "s.*", "f.*", pushpin="a", outpost=[None, "b"])
    assert k.matches("s.x", "f.y", "a", None) and k.matches("s.x", "f.y", "a", "b")
    assert not k.matches("s.x", "f.y", "a", "c") and not k.matches("t.x", "f.y", "a", None)
    diffs = compare("publish.bad-no-items", {"publish.body": "Invalid format: x\n", "publish.header.content-length": "18"},
                    {"publish.body": "Invalid format: item 0: y\n", "publish.header.content-length": "26"})
    assert [d[3] for d in diffs] == ["publish-error-detail", "publish-error-detail"], diffs
    assert compare("x", {"a": 1}, {"a": 2}) == [("a", 1, 2, None)]
    # response reader on canned bytes
    a, b = socket.socketpair()
    a.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    conn = Conn.__new__(Conn)
    conn.sock, conn.buf, conn.eof = b, b"", False
    r = read_response(conn, time.time() + 2, after_wait=0.05)
    assert (r.status, r.body, r.framing, r.complete, r.after) == ("200 OK", b"abc", "chunked", True, "open"), vars(r)
    a.close()
    b.close()
    names = [s[0] for s in SCENARIOS]
    assert len(names) == len(set(names)), "duplicate scenario names"
    print("self-test passed (%d scenarios defined)" % len(names))
    return 0


def main():
    ap = argparse.ArgumentParser(description="Compare Outpost with Pushpin 1.36 scenario by scenario.")
    ap.add_argument("--only", action="append", default=[], metavar="NAME",
                    help="run scenarios whose name contains NAME or matches it as a glob (repeatable)")
    ap.add_argument("--skip", action="append", default=[], metavar="NAME",
                    help="leave out scenarios whose name contains NAME or matches it as a glob (repeatable)")
    ap.add_argument("--list", action="store_true", help="list scenarios and exit")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--pushpin-only", action="store_true", help="run against Pushpin only and print observations")
    mode.add_argument("--outpost-only", action="store_true", help="run against Outpost only and print observations")
    ap.add_argument("--save", metavar="FILE", help="write observations (JSON) to FILE")
    ap.add_argument("--baseline", metavar="FILE",
                    help="compare Outpost against Pushpin observations saved earlier with --pushpin-only --save")
    ap.add_argument("--compare-files", nargs=2, metavar=("PUSHPIN_JSON", "OUTPOST_JSON"),
                    help="compare two files written by --save (no process is started)")
    ap.add_argument("--slow", action="store_true", help="include slow scenarios (timeouts; adds about a minute)")
    ap.add_argument("--settle", type=float, default=SETTLE, help="seconds to wait for a hold to register")
    ap.add_argument("--pushpin-bin", default=shutil.which("pushpin") or "/usr/bin/pushpin")
    ap.add_argument("--outpost-cmd", default=os.environ.get("OUTPOST_CMD", os.path.join(REPO, "outpost")),
                    help="command that runs Outpost (default: ./outpost; env OUTPOST_CMD)")
    ap.add_argument("--outpost-start-timeout", type=int, default=300,
                    help="seconds to wait for Outpost's ports (the launcher may build first)")
    ap.add_argument("--time-limit", type=int, default=900, help="hard limit for the whole run, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories (configs, logs)")
    ap.add_argument("--check-docs", action="store_true", help="check KNOWN against docs/compatibility.md and exit")
    ap.add_argument("--self-test", action="store_true", help="check the script's own helpers and exit")
    ap.add_argument("--max-fields", type=int, default=8, help="differing fields shown per scenario without -v")
    ap.add_argument("-v", "--verbose", action="store_true", help="print progress and every differing field")
    args = ap.parse_args()

    if args.check_docs:
        return check_docs()
    if args.self_test:
        return self_test()

    selected = []
    for s in SCENARIOS:
        name, _, _, slow = s
        if args.only:
            if not any(o in name or fnmatch.fnmatchcase(name, o) for o in args.only):
                continue
        elif slow and not args.slow:
            continue
        if any(o in name or fnmatch.fnmatchcase(name, o) for o in args.skip):
            continue
        selected.append(s)
    if args.list:
        for name, profile, _, slow in SCENARIOS:
            print("%-55s %-8s%s" % (name, profile, " slow" if slow else ""))
        return 0
    if not selected:
        print("no scenario matches %s" % args.only, file=sys.stderr)
        return 2

    if args.compare_files:
        with open(args.compare_files[0]) as f:
            pp = json.load(f)
        with open(args.compare_files[1]) as f:
            op = json.load(f)
        names = [s[0] for s in selected if s[0] in pp or s[0] in op]
        return report(names, pp, op, args)

    targets = []
    if not args.outpost_only and not args.baseline:
        targets.append(PushpinTarget(args))
    if not args.pushpin_only:
        targets.append(OutpostTarget(args))

    def on_signal(signum, frame):
        raise KeyboardInterrupt("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(args.time_limit)

    origin = Origin()
    results = {}
    try:
        for t in targets:
            print("running %d scenario(s) against %s ..." % (len(selected), t.name), file=sys.stderr)
            results[t.name] = run_target(t, selected, origin, args)
    except KeyboardInterrupt as e:
        print("interrupted (%s); stopping processes" % (e or "Ctrl-C"), file=sys.stderr)
        for t in targets:
            t.stop()
        return 3
    finally:
        signal.alarm(0)
        for t in targets:
            t.stop()
        origin.close()

    if args.baseline:
        with open(args.baseline) as f:
            results["pushpin"] = json.load(f)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(results if len(results) > 1 else next(iter(results.values())), f, indent=1, sort_keys=True)

    if len(results) == 1:
        (tname, res), = results.items()
        if args.verbose or not args.save:
            print_observations(res, tname)
        errors = [n for n in res if "!error" in res[n]]
        for n in errors:
            print("ERROR %s: %s" % (n, res[n]["!error"]))
        return 1 if errors else 0

    return report([s[0] for s in selected], results["pushpin"], results["outpost"], args)


def report(names, pp, op, args):
    unexpected = 0
    rows = []
    for name in names:
        a, b = pp.get(name, {"!error": "not run"}), op.get(name, {"!error": "not run"})
        if "!error" in a or "!error" in b:
            # a scenario that could not run says nothing about compatibility: show the error only
            rows.append((name, "ERROR", [("!error", a.get("!error"), b.get("!error"), None)]))
            unexpected += 1
            continue
        diffs = compare(name, a, b)
        if not diffs:
            rows.append((name, "same", []))
        elif all(d[3] for d in diffs):
            rows.append((name, "known", diffs))
        else:
            rows.append((name, "DIFF", diffs))
            unexpected += 1
    width = max(len(r[0]) for r in rows)
    print("%-*s  %s" % (width, "scenario", "result"))
    print("-" * (width + 40))
    for name, result, diffs in rows:
        ids = sorted({d[3] for d in diffs if d[3]})
        print("%-*s  %s%s" % (width, name, result, ("  [" + ", ".join(ids) + "]") if ids else ""))
        if result == "ERROR":
            for side, err in (("pushpin", diffs[0][1]), ("outpost", diffs[0][2])):
                if err:
                    print("%-*s     %s: %s" % (width, "", side, err.replace("\n", "\n%*s" % (width + 5, ""))))
            continue
        shown = 0
        for field, va, vb, known in diffs:
            if known and not args.verbose:
                continue
            shown += 1
            if shown > args.max_fields and not args.verbose:
                print("%-*s     ... %d more differing fields (-v shows all)" % (
                    width, "", sum(1 for d in diffs if not d[3]) - args.max_fields))
                break
            print("%-*s     %s%s" % (width, "", field, "  (known: %s)" % known if known else ""))
            print("%-*s       pushpin: %s" % (width, "", short(va, 110)))
            print("%-*s       outpost: %s" % (width, "", short(vb, 110)))
    counts = {}
    for _, result, _ in rows:
        counts[result] = counts.get(result, 0) + 1
    print("-" * (width + 40))
    print(", ".join("%s: %d" % kv for kv in sorted(counts.items())))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
