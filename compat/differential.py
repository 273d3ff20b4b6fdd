#!/usr/bin/env python3
"""Differential check of Outpost against Pushpin 1.36.

Starts Pushpin and Outpost in turn (temporary directories, free ports on 127.0.0.1), runs the same scenarios against
both with an in-process scripted origin, normalises what varies between runs (Date, Grip-Sig exp/iat, ...) and compares
status lines, headers and bodies seen by the client, by the publisher and by the origin.

Differences listed in KNOWN (harness/known.py, mirrored in docs/compatibility.md) are reported but do not fail the run.
The scenarios are in scenarios/, one module per area; the test machinery (HTTP and WebSocket clients, the scripted
origin, the two targets) is in harness/.  Python 3 standard library only.  See compat/README.md.
"""

import argparse
import base64
import fnmatch
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ folders beside the sources

from harness.common import DOC, REPO, ROUTE_SIG_KEY, SETTLE, SIG_KEY, ScenarioError, normalise_jwt
from harness.known import KNOWN, Known
from harness.http import Conn, read_response
from harness.origin import Origin
from harness.ws import woh_encode, woh_events, woh_text
from harness.targets import OutpostTarget, PushpinTarget
from harness.context import Ctx, norm_headers
from harness.registry import SCENARIOS
import scenarios  # noqa: F401  (each area module registers its scenarios)


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
        print("docs/compatibility.md section {#%s} has no KNOWN entry in compat/harness/known.py" % i)
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
