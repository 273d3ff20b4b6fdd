#!/usr/bin/env python3
"""Hostile and broken peers against one Outpost proxy jar: what a flood costs and how long a bad peer is kept.

    bench/hostile.py [--jar cli/target/outpost.jar] [--port-base 23000] [--flood-secs 5] [--timeouts]

Runs, each against a fresh proxy started from --jar with the launcher's proxy JVM options plus -Xmx1g:
  ping-flood   a WebSocket client of the built-in test target sends pings and never reads
  woh-flood    a WebSocket client of an over_http route (an origin that answers each POST after 50 ms) sends text
               and never reads, then leaves with a reset; POSTs the origin still gets afterwards are counted
  --timeouts   also: seconds until an idle socket is closed, and until a client of an origin that never answers
               gets a response (about a minute each with the defaults)
Live heap is measured after a full GC (jcmd GC.heap_info), RSS from /proc. Python 3 standard library only.
Numbers depend on the machine and its load: compare two jars in the same run of the same machine.
"""
import argparse
import http.server
import os
import re
import select
import socket
import subprocess
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def java_home():
    home = os.environ.get("JAVA_HOME")
    if home:
        return home
    out = subprocess.run(
        ["bash", "-c", ". '%s/.ci/find-jdk.sh' && outpost_find_jdk && echo $JAVA_HOME" % ROOT],
        capture_output=True, text=True, check=True)
    return out.stdout.strip()


class Proxy:
    def __init__(self, jar, port, publish, routes=()):
        self.port = port
        jh = java_home()
        self.jcmd = os.path.join(jh, "bin", "jcmd")
        cmd = [os.path.join(jh, "bin", "java"), "-XX:+UseSerialGC", "-Xms24m", "-Xmn16m", "-Xmx1g",
               "-Dio.netty.leakDetection.level=disabled", "-jar", jar, "proxy", "--port", str(port),
               "--publish-port", str(publish), "--inspector-port", "off"]
        for r in routes:
            cmd += ["--route", r]
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in self.p.stdout:
            if "GRIP proxy" in line:
                break
        threading.Thread(target=lambda: [None for _ in self.p.stdout], daemon=True).start()

    def heap_mb(self):
        subprocess.run([self.jcmd, str(self.p.pid), "GC.run"], capture_output=True)
        out = subprocess.run([self.jcmd, str(self.p.pid), "GC.heap_info"], capture_output=True, text=True).stdout
        used = sum(int(k) for k in re.findall(r"used (\d+)K", out.split("Metaspace")[0]))
        return used / 1024

    def rss_mb(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return -1

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        self.p.terminate()
        try:
            return self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return None


def ws_connect(port, path, host="localhost"):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
               % (path, host)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(1)
        if not b:
            raise RuntimeError("closed during the handshake")
        head += b
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError(head.split(b"\r\n")[0].decode())
    return s


def frame(opcode, payload):
    mask = b"\x01\x02\x03\x04"
    masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked


def flood(s, data, secs):
    """Writes data over and over for secs without reading; returns the bytes the proxy took."""
    s.setblocking(False)
    sent = 0
    end = time.time() + secs
    while time.time() < end:
        _, w, _ = select.select([], [s], [], 0.1)
        if w:
            try:
                sent += s.send(data)
            except BlockingIOError:
                pass
            except OSError:
                break
    return sent


class WohOrigin(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port):
        self.posts = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), WohHandler)


class WohHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.posts += 1
        if body.startswith(b"OPEN"):
            out = b"OPEN\r\n"
        else:
            time.sleep(0.05)
            out = b"TEXT 2\r\nok\r\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/websocket-events")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def ping_flood(jar, base, secs):
    p = Proxy(jar, base, base + 1, routes=["* test"])
    try:
        h0, r0 = p.heap_mb(), p.rss_mb()
        s = ws_connect(base, "/ws")
        took = flood(s, frame(9, b"p" * 125) * 64, secs)
        h1, r1 = (p.heap_mb(), p.rss_mb()) if p.alive() else (-1, -1)
        s.close()
        return {"took_mb": took / 1e6, "heap_before": h0, "heap_after": h1, "rss_before": r0, "rss_after": r1,
                "alive": p.alive()}
    finally:
        p.stop()


def woh_flood(jar, base, secs):
    origin = WohOrigin(base + 2)
    threading.Thread(target=origin.serve_forever, daemon=True).start()
    p = Proxy(jar, base, base + 1, routes=["* 127.0.0.1:%d,over_http" % (base + 2)])
    try:
        h0 = p.heap_mb()
        s = ws_connect(base, "/woh")
        took = flood(s, frame(1, b"t" * 100) * 64, secs)
        h1 = p.heap_mb() if p.alive() else -1
        before = origin.posts
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
        time.sleep(20)
        return {"took_mb": took / 1e6, "heap_before": h0, "heap_after": h1, "posts_during": before,
                "posts_after_leaving": origin.posts - before}
    finally:
        p.stop()
        origin.shutdown()


def timeouts(jar, base):
    silent = socket.socket()
    silent.bind(("127.0.0.1", base + 2))
    silent.listen(10)
    held = []
    threading.Thread(target=lambda: [held.append(silent.accept()) for _ in range(10)], daemon=True).start()
    p = Proxy(jar, base, base + 1, routes=["* 127.0.0.1:%d" % (base + 2)])
    out = {}

    def idle():
        s = socket.create_connection(("127.0.0.1", base))
        s.settimeout(75)
        t = time.time()
        try:
            out["idle_closed_after"] = round(time.time() - t, 1) if s.recv(1) == b"" else "data"
        except socket.timeout:
            out["idle_closed_after"] = ">75"

    def no_answer():
        s = socket.create_connection(("127.0.0.1", base))
        s.settimeout(75)
        t = time.time()
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            line = s.recv(100).split(b"\r\n")[0].decode()
            out["silent_origin"] = "%s after %.1f s" % (line or "closed", time.time() - t)
        except socket.timeout:
            out["silent_origin"] = "nothing within 75 s"

    try:
        ts = [threading.Thread(target=idle), threading.Thread(target=no_answer)]
        [t.start() for t in ts]
        [t.join() for t in ts]
        return out
    finally:
        p.stop()
        silent.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jar", default=os.path.join(ROOT, "cli", "target", "outpost.jar"))
    ap.add_argument("--port-base", type=int, default=23000)
    ap.add_argument("--flood-secs", type=float, default=5)
    ap.add_argument("--timeouts", action="store_true")
    a = ap.parse_args()
    print("jar", a.jar)
    print("ping-flood", ping_flood(a.jar, a.port_base, a.flood_secs))
    print("woh-flood ", woh_flood(a.jar, a.port_base + 10, a.flood_secs))
    if a.timeouts:
        print("timeouts  ", timeouts(a.jar, a.port_base + 20))


if __name__ == "__main__":
    main()
