#!/usr/bin/env python3
"""A tiny GRIP origin for trying Outpost (or any GRIP proxy) by hand.

  GET /poll/<channel>    holds a long-poll on <channel> (Grip-Hold: response)
  GET /stream/<channel>  holds an HTTP stream on <channel> (Grip-Hold: stream)
  GET /sse/<channel>     holds a Server-Sent Events stream on <channel>
  anything else          a plain answer, proxied as is

Usage: python3 origin.py [PORT]   (default 8080, listens on 127.0.0.1)
"""
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Origin(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 2 and parts[0] in ("poll", "stream", "sse"):
            kind, channel = parts
            if kind == "poll":
                self.answer(200, b"nothing yet (timed out)\n", {
                    "Content-Type": "text/plain",
                    "Grip-Hold": "response",
                    "Grip-Channel": channel,
                    "Grip-Timeout": "60",
                })
            elif kind == "stream":
                self.answer(200, b"stream open\n", {
                    "Content-Type": "text/plain",
                    "Grip-Hold": "stream",
                    "Grip-Channel": channel,
                })
            else:
                self.answer(200, b": stream open\n\n", {
                    "Content-Type": "text/event-stream",
                    "Grip-Hold": "stream",
                    "Grip-Channel": channel,
                    "Grip-Keep-Alive": ":\\n\\n; format=cstring; timeout=20",
                })
            return
        signed = "yes" if self.headers.get("Grip-Sig") else "no"
        self.answer(200, f"hello from the origin (path {self.path}, Grip-Sig present: {signed})\n".encode(), {
            "Content-Type": "text/plain",
        })

    def answer(self, status, body, headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("origin: " + (fmt % args) + "\n")


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    print(f"tiny origin listening on http://127.0.0.1:{port}/", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Origin).serve_forever()
