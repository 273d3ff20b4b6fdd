"""The scripted origin: a raw-socket server that answers exact bytes per path (or speaks WebSocket after
a 101) and records the requests."""

import base64
import hashlib
import socket
import threading
import time

from .common import ScenarioError
from .http import Conn
from .ws import ws_frame, ws_read


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
