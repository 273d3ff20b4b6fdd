"""A raw HTTP/1.1 client: exact bytes out, responses read field by field (framing, what follows)."""

import socket
import ssl
import threading
import time


class Conn:
    def __init__(self, port, timeout=5.0, tls=False):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            # the proxies' https_ports; the test certificate is self-signed, for the name "localhost"
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self.sock = ctx.wrap_socket(self.sock, server_hostname="localhost")
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
