"""WebSocket frames and client, and the application/websocket-events codec (WebSocket-over-HTTP)."""

import os
import socket
import time

from .http import Conn, build_request, read_response


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


class WsClient:

    def __init__(self, port, path, host, headers=(), timeout=5.0, tls=False):
        self.conn = Conn(port, timeout, tls)
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
