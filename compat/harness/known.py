"""Known, intended differences.  Every entry has a section with the same id in docs/compatibility.md
(--check-docs).  A difference is "known" only when scenario and field match and both values match the
given regexes (None = the field is absent on that side, "*" = anything)."""

import fnmatch
import re


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
    Known("cdn-loop", "forwarding.rules-*", "origin*.header.cdn-loop",
          pushpin=[None, "othercdn"], outpost=r"(othercdn, )?outpost-compat",
          why="cdn_loop is read from Pushpin 1.37 on; Outpost applies it as 1.37 does, Pushpin 1.36 ignores it."),
    Known("woh-forwarded-for-once", "forwarding.rules-woh", "origin*.x-forwarded-for",
          pushpin=r"127\.0\.0\.1, 127\.0\.0\.1", outpost=r"3\.3\.3\.3, 127\.0\.0\.1",
          why="Pushpin 1.36 applies x_forwarded_for again to each WebSocket-over-HTTP request (append twice); "
              "Outpost once, as Pushpin 1.37 does."),
]
