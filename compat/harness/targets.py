"""The two proxies under test: generated configuration and routes, start-up and shut-down."""

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from .common import ROUTE_SIG_KEY, SIG_KEY, UPSTREAM_KEY, ScenarioError, free_port


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
        "sec.test %s" % o,
        "sec.test,ssl=yes,header=X-Route:ssl %s" % o,
        "wohsec.test %s,over_http" % o,
    ]


# the forwarding keys as Pushpin's packaged pushpin.conf sets them
STOCK_FORWARDING = """accept_x_forwarded_protocol=false
set_x_forwarded_protocol=proto-only
x_forwarded_for=
x_forwarded_for_trusted=
"""

# every forwarding key set (cdn_loop is read by Pushpin 1.37 and later only)
FORWARDING_RULES = """accept_x_forwarded_protocol=true
set_x_forwarded_protocol=true
x_forwarded_for=truncate:1,append
x_forwarded_for_trusted=append
upstream_key=%s
cdn_loop=outpost-compat
""" % UPSTREAM_KEY

PROFILES = {
    "default": {"debug": False, "accept_pushpin_route": False},
    "debug": {"debug": True, "accept_pushpin_route": False},
    "route-header": {"debug": False, "accept_pushpin_route": True},
    "stock-forwarding": {"debug": False, "accept_pushpin_route": False, "proxy": STOCK_FORWARDING, "tls": True},
    "forwarding": {"debug": False, "accept_pushpin_route": False, "proxy": FORWARDING_RULES, "tls": True},
}


SHARED_CONF = """[proxy]
routesfile=routes
debug=%(debug)s
accept_pushpin_route=%(apr)s
%(proxy)ssig_iss=pushpin
sig_key=%(key)s
[handler]
%(handler)spush_in_http_addr=127.0.0.1
push_in_http_port=%(publish)d
message_wait=5000
id_cache_ttl=60
"""
"""What both targets' pushpin.conf says after their own sections: the settings every scenario assumes."""


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
        self.https_port = None
        if PROFILES[profile].get("tls"):
            self.https_port = free_port()
            make_certificate(os.path.join(self.dir, "runner", "certs"))
        with open(os.path.join(self.dir, "routes"), "w") as f:
            f.write("\n".join(route_lines(origin_port, self.dead_port)) + "\n")
        cmd = self.prepare(PROFILES[profile])
        self.log_path = os.path.join(self.dir, "output.log")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.wait_ready()

    def write_conf(self, profile, head, handler=""):
        """pushpin.conf: `head` (the target's own sections, https_ports added to [runner] when the profile has TLS),
        then the settings both targets share, with `handler` (the target's own [handler] lines) in [handler];
        returns its path."""
        if self.https_port:
            head = head.replace("[runner]\n", "[runner]\nhttps_ports=127.0.0.1:%d\n" % self.https_port, 1)
        conf = head + SHARED_CONF % dict(debug="true" if profile["debug"] else "false",
                                         apr="true" if profile["accept_pushpin_route"] else "false", key=SIG_KEY,
                                         proxy=profile.get("proxy", ""),
                                         handler=handler, publish=self.publish_port)
        path = os.path.join(self.dir, "pushpin.conf")
        with open(path, "w") as f:
            f.write(conf)
        return path

    def wait_ready(self):
        end = time.time() + self.start_timeout()
        while time.time() < end:
            if self.proc.poll() is not None:
                raise ScenarioError("%s exited with %s during start-up; log: %s\n%s" % (
                    self.name, self.proc.returncode, self.log_path, self.log_tail()))
            if (self._port_open(self.proxy_port) and self._port_open(self.publish_port)
                    and (not self.https_port or self._port_open(self.https_port))):
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


def make_certificate(certs):
    """certs/localhost.crt and .key: a self-signed certificate both proxies serve for the name localhost (Pushpin's
    connection manager and Outpost read runner/certs next to pushpin.conf)."""
    os.makedirs(certs, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", os.path.join(certs, "localhost.key"), "-out", os.path.join(certs, "localhost.crt")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


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
        head = """[global]
include=%(dir)s/internal.conf
rundir=%(dir)s/run
ipc_prefix=cmp%(pid)d-
[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:%(proxy)d
logdir=%(dir)s
log_level=2
""" % dict(dir=self.dir, pid=os.getpid(), proxy=self.proxy_port)
        handler = """push_in_spec=tcp://127.0.0.1:%(p1)d
push_in_sub_specs=tcp://127.0.0.1:%(p2)d
stats_spec=ipc://{rundir}/{ipc_prefix}stats
command_spec=tcp://127.0.0.1:%(p3)d
""" % dict(p1=free_port(), p2=free_port(), p3=free_port())
        path = self.write_conf(profile, head, handler)
        return [self.args.pushpin_bin, "--config", path, "--merge-output"]


class OutpostTarget(Target):
    name = "outpost"

    def start_timeout(self):
        return self.args.outpost_start_timeout

    def prepare(self, profile):
        head = """[runner]
http_port=%(proxy)d
log_level=2
""" % dict(proxy=self.proxy_port)
        path = self.write_conf(profile, head)
        return shlex.split(self.args.outpost_cmd) + ["proxy", "--config", path]
