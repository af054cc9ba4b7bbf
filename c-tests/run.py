#!/usr/bin/env python3
"""Runs the C tests of this project against a mosquitto it starts itself.

    python3 c-tests/run.py [--rebuild] [-k PATTERN] [-j N] [--paho-only] [--list]

What it runs (names are paths under c-tests/ without the extension, e.g. diff/pubsub_qos1):

  c-tests/diff/*.c     differential tests: compiled once, run against our library and against
                       Debian's Paho; both must exit 0 and print the same stdout.
  c-tests/sync/*.c     run once against our library; exit 0 = pass.
  c-tests/async/*.c    the same, linked with paho-mqtt3a by default.
  c-tests/tls/*.c      TLS tests, linked with paho-mqtt3cs by default: diff_*.c are
                       differential (as c-tests/diff), the others run against ours only.
  c-tests/faults/*.c   fault injection with the scripted fake broker (common/fakebroker.h),
                       linked with paho-mqtt3c by default; diff_*.c are differential.
  c-tests/*/test_*.sh  executable scripts; exit 0 = pass, 77 = skipped.
  c-tests/helgrind/*.c planted data races, run only with --valgrind helgrind (see below).

Each test program gets --timeout seconds (default 60) unless its file has a line
`// timeout: N` (C) or `# timeout: N` (script) asking for more.

A C test is linked with -lpaho-mqtt3c unless it has a line `// link: paho-mqtt3a` (or 3cs,
3as); c-tests/common/*.c are linked in as an archive, function by function (--gc-sections), so
a test only pulls the helpers it uses and what they call.
C tests may exit 77 to be reported as skipped.

Tests listed in c-tests/xfail.txt (one name a line, `#` starts a comment saying why) are
expected to fail for now: they run, a failure is reported as XFAIL and a pass as XPASS, and
neither counts as a failure.

Environment given to every test:
  MQTT_TEST_HOST, MQTT_TEST_PORT, MQTT_TEST_URI          anonymous listener on 127.0.0.1
  MQTT_TEST_AUTH_URI, MQTT_TEST_AUTH_PORT,
  MQTT_TEST_USER, MQTT_TEST_PASSWORD                     listener that needs the guide's user
  MQTT_TEST_URI6                                         anonymous listener on [::1], or empty
  MQTT_TEST_TOPIC_PREFIX                                 unique per run of a test program
  MQTT_TEST_EXPECT                                       ours | paho (C tests): which library
  MQTT_TEST_BROKER_LOG, MQTT_TEST_TMPDIR                 broker log; a scratch dir per test
  MQTT_TEST_CERT_DIR                                     CA, certificates, keys and CRL made by
                                                         c-tests/tls/make_certs.sh (see there)
  MQTT_TEST_TLS_URI                                      TLS, server cert only (ssl://localhost)
  MQTT_TEST_MTLS_URI                                     mutual TLS: client cert required,
                                                         its CN is the user name, CRL checked
  MQTT_TEST_TLS_NOMATCH_URI                              TLS whose server cert names only
                                                         mqtt.example.com (ssl://127.0.0.1)
  MQTT_TEST_PSK_URI, MQTT_TEST_PSK_IDENTITY,
  MQTT_TEST_PSK_KEY                                      TLS-PSK listener, its identity and hex key
  (MQTT_TEST_*_PORT as well for each of these)
  REPO_ROOT, OUR_LIBDIR, OUR_INCLUDEDIR, PAHO_LIBDIR

`--valgrind memcheck` (or `helgrind`) runs every C test program under valgrind against our
library only (differential tests without the comparison; scripts skipped), with the test's
timeouts and watchdogs stretched (MQTT_TEST_TIME_SCALE); valgrind errors, and for memcheck
any byte definitely lost, fail the test. `--valgrind-set` narrows the run to VALGRIND_SET,
the representative subset scripts/test.sh runs under memcheck and helgrind. Suppressions:
c-tests/valgrind.supp (glibc/OpenSSL false positives) and, for helgrind only,
c-tests/helgrind-rust.supp (races inside Rust's std and crossbeam, whose atomics helgrind
cannot see; our own locks announce themselves to it, see src/vg). Under helgrind the
programs of c-tests/helgrind/ each plant one race on their variable `unguarded` across our
library's threads: such a test passes only if helgrind reports that race and nothing else,
which shows the suppressions and annotations leave real races visible.

`--serve` starts the broker only, prints those variables as `export` lines and waits: handy
for running one test program by hand.

Only the Python 3 standard library is used.
"""

import argparse
import concurrent.futures
import difflib
import fnmatch
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CTESTS = os.path.join(REPO_ROOT, "c-tests")
PAHO_LIBDIR = "/usr/lib/x86_64-linux-gnu"
MOSQUITTO = "/usr/sbin/mosquitto"
GUIDE_USER = "your-username"
GUIDE_PASSWORD = "your-password"
LIBRARIES = ("paho-mqtt3c", "paho-mqtt3cs", "paho-mqtt3a", "paho-mqtt3as")
# The library a C test is linked with when it names none, by directory.
DEFAULT_LINK = {"async": "paho-mqtt3a", "tls": "paho-mqtt3cs"}
# `--valgrind-set`: the tests a valgrind run covers when CI has to afford it (a few minutes
# under memcheck or helgrind on 2 cores): sync and async API, QoS 0/1/2 both ways, MQTT 5
# properties, callbacks that call the API and destroy their client, reconnects, many clients,
# dropped connections and resends, a hostile broker, TLS. Timing-sensitive tests are left out
# (keepalive, connect timeouts): under valgrind they measure valgrind.
VALGRIND_SET = (
    "diff/pubsub_qos",
    "diff/sync_large",
    "diff/v5_properties",
    "diff/redelivery",
    "diff/persistent_session",
    "diff/async_pubsub",
    "diff/async_offline",
    "diff/async_update_options",
    "diff/async_submany",
    "diff/auth_ok",
    "sync/api_in_message_arrived",
    "sync/end_client_in_callbacks",
    "sync/malloc_ownership",
    "sync/hostile_broker_ours",
    "async/api_in_callbacks",
    "async/destroy_in_callback",
    "async/destroy_inflight",
    "async/reconnect",
    "faults/diff_drop_resend",
    "faults/diff_subscribe_drop",
    "faults/diff_async_subscribe_drop",
    "faults/garbage",
    "faults/diff_trickle",
    "tls/diff_sync_tls",
    "tls/diff_async_tls",
    "persist/user_store",
    "persist/async_hooks",
    "persist/damaged_store",
    "persist/restart_dup",
    "helgrind/planted_race",
)
VALGRIND_ERROR_EXIT = 99
# How much longer a test may take under each tool (its own watchdogs stretch as much:
# MQTT_TEST_TIME_SCALE).
VALGRIND_SLOWDOWN = {"memcheck": 5, "helgrind": 10}
PSK_IDENTITY = "device-psk"
PSK_KEY = "00112233445566778899aabbccddeeff"
SKIP_EXIT = 77


def log(msg):
    print(msg, flush=True)


# --- Brokers ---------------------------------------------------------------------------------


def free_port(host):
    """A loopback port nobody listens on right now (the kernel's pick for port 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback_works():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


class Listener:
    """One mosquitto listener. `lines` are extra config lines that apply to it alone
    (per_listener_settings is on): allow_anonymous, password_file, cafile, protocol..."""

    def __init__(self, name, host, lines=(), port=None):
        self.name = name
        self.host = host
        self.port = port or free_port(host)
        self.lines = list(lines)

    def uri(self, scheme="tcp"):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s://%s:%d" % (scheme, host, self.port)


class Broker:
    """A mosquitto of our own, configured from a list of listeners, in its own directory.

    More listeners (TLS, websockets, a unix socket) or whole extra brokers (for tests that
    stop and restart one) are made the same way:

        b = Broker(workdir, [Listener("tls", "127.0.0.1", ["cafile ...", ...])])
        b.start(); ...; b.stop()
    """

    def __init__(self, workdir, listeners, users=None, certdir=""):
        self.workdir = workdir
        self.certdir = certdir
        self.listeners = {l.name: l for l in listeners}
        self.users = dict(users or {})
        self.proc = None
        self.conf = os.path.join(workdir, "mosquitto.conf")
        self.passwd = os.path.join(workdir, "passwd")
        self.logfile = os.path.join(workdir, "mosquitto.log")

    def __getitem__(self, name):
        return self.listeners[name]

    def _write_config(self):
        os.makedirs(self.workdir, exist_ok=True)
        if self.users:
            if os.path.exists(self.passwd):
                os.unlink(self.passwd)
            for i, (user, password) in enumerate(self.users.items()):
                cmd = ["mosquitto_passwd", "-b", self.passwd, user, password]
                if i == 0:
                    cmd.insert(1, "-c")
                subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            os.chmod(self.passwd, 0o600)
        lines = [
            "# written by c-tests/run.py",
            "per_listener_settings true",
            "persistence false",
            "log_dest file %s" % self.logfile,
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
            "log_timestamp_format %H:%M:%S",
        ]
        if os.geteuid() == 0:
            # As root mosquitto would switch to the `mosquitto` user, who cannot read our
            # private temp directory; it only listens on loopback, so stay.
            lines.append("user root")
        for l in self.listeners.values():
            lines.append("")
            lines.append("listener %d %s" % (l.port, l.host))
            lines.extend(l.lines)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=10.0):
        self._write_config()
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", self.conf], stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(self.workdir, "mosquitto.out"), "w"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        waiting = list(self.listeners.values())
        while waiting:
            if self.proc.poll() is not None:
                raise RuntimeError("mosquitto exited with %d at start:\n%s"
                                   % (self.proc.returncode, self.log_tail()))
            l = waiting[0]
            try:
                family = socket.AF_INET6 if ":" in l.host else socket.AF_INET
                with socket.socket(family, socket.SOCK_STREAM) as s:
                    s.settimeout(1.0)
                    s.connect((l.host, l.port))
                waiting.pop(0)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("mosquitto did not open %s within %.0f s:\n%s"
                                       % (l.uri(), timeout, self.log_tail()))
                time.sleep(0.05)
        return self

    def stop(self):
        """Stops our mosquitto by its PID (TERM, then KILL after 5 s)."""
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    def log_tail(self, n=30):
        text = ""
        for path in (os.path.join(self.workdir, "mosquitto.out"), self.logfile):
            try:
                with open(path, errors="replace") as f:
                    text += "".join(f.readlines()[-n:])
            except OSError:
                pass
        return text


def make_certs(certdir):
    """The TLS material of c-tests/tls/make_certs.sh, made once per run."""
    r = subprocess.run([os.path.join(CTESTS, "tls", "make_certs.sh"), certdir],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        raise SystemExit("run.py: make_certs.sh failed:\n" + r.stdout)
    return certdir


def tls_listeners(workdir, certdir):
    """TLS, mutual TLS (with the CRL), a server cert that does not name 127.0.0.1, and PSK."""
    c = lambda name: os.path.join(certdir, name)
    server = ["cafile " + c("CA.crt"), "certfile " + c("server.crt"),
              "keyfile " + c("server.key")]
    psk_file = os.path.join(workdir, "psk")
    os.makedirs(workdir, exist_ok=True)
    with open(psk_file, "w") as f:
        f.write("%s:%s\n" % (PSK_IDENTITY, PSK_KEY))
    return [
        Listener("tls", "127.0.0.1", ["allow_anonymous true"] + server),
        Listener("mtls", "127.0.0.1", ["allow_anonymous true"] + server + [
            "require_certificate true", "use_identity_as_username true",
            "crlfile " + c("crl.pem")]),
        Listener("tlsnomatch", "127.0.0.1", [
            "allow_anonymous true", "cafile " + c("CA.crt"), "certfile " + c("nomatch.crt"),
            "keyfile " + c("nomatch.key")]),
        Listener("psk", "127.0.0.1", [
            "allow_anonymous true", "psk_hint paho-tests", "psk_file " + psk_file,
            "use_identity_as_username true"]),
    ]


def default_broker(workdir, certdir):
    """The broker every test gets: anonymous, password-protected (the guide's user),
    anonymous on IPv6 loopback when the machine has it, and the TLS listeners."""
    listeners = [
        Listener("plain", "127.0.0.1", ["allow_anonymous true"]),
        Listener("auth", "127.0.0.1",
                 ["allow_anonymous false", "password_file %s" % os.path.join(workdir, "passwd")]),
    ] + tls_listeners(workdir, certdir)
    if ipv6_loopback_works():
        listeners.append(Listener("ipv6", "::1", ["allow_anonymous true"]))
    return Broker(workdir, listeners, users={GUIDE_USER: GUIDE_PASSWORD}, certdir=certdir)


def broker_env(broker):
    plain, auth = broker["plain"], broker["auth"]
    ipv6 = broker.listeners.get("ipv6")
    return {
        "MQTT_TEST_HOST": plain.host,
        "MQTT_TEST_PORT": str(plain.port),
        "MQTT_TEST_URI": plain.uri(),
        "MQTT_TEST_AUTH_URI": auth.uri(),
        "MQTT_TEST_AUTH_PORT": str(auth.port),
        "MQTT_TEST_USER": GUIDE_USER,
        "MQTT_TEST_PASSWORD": GUIDE_PASSWORD,
        "MQTT_TEST_URI6": ipv6.uri() if ipv6 else "",
        "MQTT_TEST_BROKER_LOG": broker.logfile,
        "MQTT_TEST_CERT_DIR": broker.certdir,
        "MQTT_TEST_TLS_URI": broker["tls"].uri("ssl").replace("127.0.0.1", "localhost"),
        "MQTT_TEST_TLS_PORT": str(broker["tls"].port),
        "MQTT_TEST_MTLS_URI": broker["mtls"].uri("ssl").replace("127.0.0.1", "localhost"),
        "MQTT_TEST_MTLS_PORT": str(broker["mtls"].port),
        "MQTT_TEST_TLS_NOMATCH_URI": broker["tlsnomatch"].uri("ssl"),
        "MQTT_TEST_TLS_NOMATCH_PORT": str(broker["tlsnomatch"].port),
        "MQTT_TEST_PSK_URI": broker["psk"].uri("ssl"),
        "MQTT_TEST_PSK_PORT": str(broker["psk"].port),
        "MQTT_TEST_PSK_IDENTITY": PSK_IDENTITY,
        "MQTT_TEST_PSK_KEY": PSK_KEY,
    }


# --- Our libraries ---------------------------------------------------------------------------


def find_libdir(prefix):
    for sub in ("lib", "lib64", os.path.join("lib", "x86_64-linux-gnu")):
        d = os.path.join(prefix, sub)
        if os.path.exists(os.path.join(d, "libpaho-mqtt3c.so")):
            return d
    return None


def stage_libraries(args):
    """Builds and installs our libraries into build/stage (unless they are there already and
    --rebuild was not given); returns (libdir, includedir)."""
    build = os.path.abspath(args.build_dir)
    stage = os.path.join(build, "stage")
    libdir = find_libdir(stage)
    if libdir and not args.rebuild:
        return libdir, os.path.join(stage, "include")
    log("== building our libraries (cmake, %s)" % build)
    # The prefix is given to the install step only, so a build tree the user configured for
    # /usr/local keeps that prefix.
    for cmd in (["cmake", "-S", REPO_ROOT, "-B", build],
                ["cmake", "--build", build],
                ["cmake", "--install", build, "--prefix", stage]):
        log("$ " + " ".join(cmd))
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise SystemExit("run.py: %s failed with exit code %d" % (cmd[1], r.returncode))
    libdir = find_libdir(stage)
    if not libdir:
        raise SystemExit("run.py: the install in %s has no libpaho-mqtt3c.so" % stage)
    return libdir, os.path.join(stage, "include")


# --- Tests -----------------------------------------------------------------------------------


class Test:
    def __init__(self, name, kind, path):
        self.name = name      # e.g. diff/pubsub_qos1
        self.kind = kind      # diff | run | script | race
        self.path = path
        self.link = None
        self.timeout = None
        with open(path, errors="replace") as f:
            text = f.read()
        if kind != "script":
            self.link = DEFAULT_LINK.get(name.split("/")[0], "paho-mqtt3c")
            m = re.search(r"^\s*//\s*link:\s*(\S+)\s*$", text, re.M)
            if m:
                self.link = m.group(1)
        # `// timeout: 300` or `# timeout: 300`: this test may take longer than --timeout.
        m = re.search(r"^\s*(?://|#)\s*timeout:\s*(\d+)\s*$", text, re.M)
        if m:
            self.timeout = int(m.group(1))


def discover():
    tests = []
    for kind, sub in (("diff", "diff"), ("run", "sync"), ("run", "async"), ("run", "tls"),
                      ("run", "persist"),
                      ("run", "faults"), ("race", "helgrind")):
        d = os.path.join(CTESTS, sub)
        if os.path.isdir(d):
            for f in sorted(os.listdir(d)):
                if f.endswith(".c"):
                    k = "diff" if sub in ("tls", "faults") and f.startswith("diff_") else kind
                    tests.append(Test("%s/%s" % (sub, f[:-2]), k, os.path.join(d, f)))
    for sub in sorted(os.listdir(CTESTS)):
        d = os.path.join(CTESTS, sub)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if f.startswith("test_") and f.endswith(".sh") and os.access(p, os.X_OK):
                tests.append(Test("%s/%s" % (sub, f[:-3]), "script", p))
    return tests


def read_xfail():
    """name -> reason, from c-tests/xfail.txt (`# reason` lines apply to the names below
    them until the next blank line; a comment after a name applies to that name)."""
    path = os.path.join(CTESTS, "xfail.txt")
    xfail = {}
    if not os.path.exists(path):
        return xfail
    reason = ""
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                reason = ""
            elif line.startswith("#"):
                reason = line.lstrip("#").strip()
            else:
                name, _, comment = line.partition("#")
                name = re.sub(r"\.(c|sh)$", "", name.strip())
                xfail[name] = comment.strip() or reason or "listed in c-tests/xfail.txt"
    return xfail


def selected(test, patterns):
    if not patterns:
        return True
    for p in patterns:
        if any(ch in p for ch in "*?["):
            if fnmatch.fnmatch(test.name, p):
                return True
        elif p in test.name:
            return True
    return False


class Result:
    def __init__(self, status, detail="", output=""):
        self.status = status  # PASS FAIL SKIP
        self.detail = detail
        self.output = output


class Runner:
    def __init__(self, args, env, workdir):
        self.args = args
        self.env = env
        self.workdir = workdir
        self.running = set()      # Popen objects of tests in flight, for Ctrl-C
        self.lock = threading.Lock()
        self.stopping = False
        self.common_archive = None
        self.common_lock = threading.Lock()
        self.cc = os.environ.get("CC", "gcc")
        self.valgrind_totals = [0, 0, 0]  # errors, bytes definitely lost, processes
        self.planted_races = 0  # helgrind reports of c-tests/helgrind/'s planted races

    # processes

    def run_proc(self, cmd, env, timeout, cwd=None, tag="run"):
        """Runs cmd in its own process group with stdout/stderr in files (so a stray
        grandchild holding a pipe cannot hang us). Returns (rc, stdout, stderr, timed_out).
        The whole group is killed when the main process is done or out of time."""
        if self.stopping:
            raise KeyboardInterrupt
        fd_out, out_path = tempfile.mkstemp(prefix=tag + ".", suffix=".out", dir=self.workdir)
        fd_err, err_path = tempfile.mkstemp(prefix=tag + ".", suffix=".err", dir=self.workdir)
        try:
            p = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                 stdout=fd_out, stderr=fd_err, start_new_session=True)
        finally:
            os.close(fd_out)
            os.close(fd_err)
        with self.lock:
            self.running.add(p)
        timed_out = False
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            self.kill_group(p)
            p.wait()
            with self.lock:
                self.running.discard(p)
        out = read_text(out_path)
        err = read_text(err_path)
        os.unlink(out_path)
        os.unlink(err_path)
        return p.returncode, out, err, timed_out

    @staticmethod
    def kill_group(p):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def kill_all(self):
        self.stopping = True
        with self.lock:
            for p in list(self.running):
                self.kill_group(p)

    # compiling

    def build_common(self):
        """c-tests/common/*.c compiled once into an archive; None if there are none."""
        with self.common_lock:
            if isinstance(self.common_archive, CompileError):
                raise self.common_archive
            if self.common_archive is not None:
                return self.common_archive or None
            try:
                self.common_archive = self._build_common()
            except CompileError as e:
                self.common_archive = e
                raise
            return self.common_archive or None

    def _build_common(self):
        """c-tests/common/*.c compiled into an archive; "" if there are none."""
        d = os.path.join(CTESTS, "common")
        sources = sorted(f for f in os.listdir(d) if f.endswith(".c")) if os.path.isdir(d) else []
        if not sources:
            return ""
        objdir = os.path.join(self.workdir, "common")
        os.makedirs(objdir, exist_ok=True)
        objects = []
        for src in sources:
            obj = os.path.join(objdir, src[:-2] + ".o")
            rc, out, err, _ = self.run_proc(
                [self.cc] + self.cflags() + ["-ffunction-sections", "-fdata-sections",
                                             "-c", os.path.join(d, src), "-o", obj],
                self.env, 120, cwd=REPO_ROOT, tag="cc")
            if rc != 0:
                raise CompileError("common/%s does not compile:\n%s%s" % (src, out, err))
            objects.append(obj)
        archive = os.path.join(objdir, "libctestcommon.a")
        subprocess.run(["ar", "rcs", archive] + objects, check=True)
        return archive

    def cflags(self):
        return ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pthread",
                "-I", os.path.join(REPO_ROOT, "include"),
                "-I", os.path.join(CTESTS, "common")]

    def compile(self, test):
        exe = os.path.join(self.workdir, "bin", test.name.replace("/", "__"))
        os.makedirs(os.path.dirname(exe), exist_ok=True)
        libdir = PAHO_LIBDIR if self.args.paho_only else self.env["OUR_LIBDIR"]
        cmd = [self.cc] + self.cflags() + [test.path, "-o", exe]
        common = self.build_common()
        if common:
            cmd.append(common)
        # With --gc-sections a helper the test does not call is dropped with its references,
        # so an async test can use testutil.c without needing the MQTTClient_* functions.
        cmd += ["-Wl,--gc-sections", "-L", libdir, "-l" + test.link, "-pthread"]
        rc, out, err, timed_out = self.run_proc(cmd, self.env, 120, cwd=REPO_ROOT, tag="cc")
        if rc != 0 or timed_out:
            raise CompileError("$ %s\n%s%s" % (" ".join(cmd), out, err))
        return exe

    # running

    def test_env(self, test, variant=None):
        env = dict(self.env)
        prefix = "t/%d/%s" % (os.getpid(), test.name)
        if variant:
            prefix += "/" + variant
        env["MQTT_TEST_TOPIC_PREFIX"] = prefix
        scratch = os.path.join(self.workdir, "tmp", test.name.replace("/", "__") + (variant or ""))
        os.makedirs(scratch, exist_ok=True)
        env["MQTT_TEST_TMPDIR"] = scratch
        return env

    def run_c(self, test, exe, which):
        env = self.test_env(test, which)
        env["MQTT_TEST_EXPECT"] = which
        env["LD_LIBRARY_PATH"] = PAHO_LIBDIR if which == "paho" else self.env["OUR_LIBDIR"]
        cmd, timeout = [exe], self.timeout_of(test)
        if self.args.valgrind and which == "ours":
            cmd = valgrind_command(self.args.valgrind, env["MQTT_TEST_TMPDIR"]) + cmd
            scale = VALGRIND_SLOWDOWN[self.args.valgrind]
            env["MQTT_TEST_TIME_SCALE"] = str(scale)
            timeout *= scale
        return self.run_proc(cmd, env, timeout, cwd=env["MQTT_TEST_TMPDIR"],
                             tag=test.name.replace("/", "__"))

    def timeout_of(self, test):
        return max(test.timeout or 0, self.args.timeout)

    def run_test(self, test):
        try:
            if test.kind == "script":
                if self.args.valgrind:
                    return Result("SKIP", "scripts do not run under valgrind")
                return self.run_script(test)
            if test.kind == "race" and self.args.valgrind != "helgrind":
                return Result("SKIP", "a planted race: runs only with --valgrind helgrind")
            try:
                exe = self.compile(test)
            except CompileError as e:
                return Result("FAIL", "does not compile", str(e))
            if test.kind == "race":
                return self.run_planted_race(test, exe)
            if self.args.valgrind:
                # Our library only, whatever the kind: under valgrind the point is its memory
                # and threads, and the comparison with Paho is made without valgrind.
                result = self.judge(self.run_c(test, exe, "ours"), "ours")
                return self.add_valgrind_report(test, result)
            if test.kind == "diff":
                return self.run_diff(test, exe)
            return self.judge(self.run_c(test, exe, "ours"), "ours")
        except KeyboardInterrupt:
            return Result("FAIL", "interrupted")

    def add_valgrind_report(self, test, result):
        """Reads the test's valgrind logs (one per process) into the result: a summary in the
        detail, the logs that report something in the output; valgrind errors fail the test
        even when the program itself passed (a forked child's exit code may be lost)."""
        scratch = self.test_env(test, "ours")["MQTT_TEST_TMPDIR"]
        logs = sorted(glob.glob(os.path.join(scratch, "valgrind.*.log")))
        errors = lost = suppressed = 0
        bad_logs = []
        for path in logs:
            text = read_text(path)
            e = sum(int(m) for m in re.findall(r"ERROR SUMMARY: (\d+) errors", text))
            sup = sum(int(m) for m in re.findall(r"ERROR SUMMARY: .*\(suppressed: (\d+) from",
                                                 text))
            l = sum(int(m.replace(",", "")) for m in
                    re.findall(r"definitely lost: ([\d,]+) bytes", text))
            errors += e
            lost += l
            suppressed += sup
            if e or l:
                bad_logs.append("[%s]\n%s" % (os.path.basename(path), tail(text, 80)))
        summary = "%s: %d errors, %s%d suppressed, %d processes" % (
            self.args.valgrind, errors,
            "%d bytes definitely lost, " % lost if self.args.valgrind == "memcheck" else "",
            suppressed, len(logs))
        if not logs:
            summary = "%s: no valgrind log" % self.args.valgrind
        if bad_logs:
            result.output += "\n" + "\n".join(bad_logs)
        if (errors or lost or not logs) and result.status == "PASS":
            result.status = "FAIL"
        if result.status == "FAIL" and "exit code %d" % VALGRIND_ERROR_EXIT in result.detail:
            result.detail = result.detail.replace("exit code %d" % VALGRIND_ERROR_EXIT,
                                                  "valgrind found errors")
        result.detail = (result.detail + "; " if result.detail else "") + summary
        with self.lock:
            self.valgrind_totals[0] += errors
            self.valgrind_totals[1] += lost
            self.valgrind_totals[2] += len(logs)
        return result

    def run_planted_race(self, test, exe):
        """A c-tests/helgrind/ program: it plants one data race on its variable `unguarded`,
        across our library's threads. Under helgrind it passes if helgrind reports that race
        and nothing else (so the run's suppressions and annotations can be seen to leave a
        real race visible); without helgrind it is skipped."""
        rc, out, err, timed_out = self.run_c(test, exe, "ours")
        output = format_output(out, err)
        if timed_out:
            return Result("FAIL", "timed out", output)
        if rc not in (0, VALGRIND_ERROR_EXIT):
            return Result("FAIL", describe_exit(rc), output)
        scratch = self.test_env(test, "ours")["MQTT_TEST_TMPDIR"]
        contexts = planted = 0
        for path in glob.glob(os.path.join(scratch, "valgrind.*.log")):
            text = read_text(path)
            # Up to the summary: with -v (VALGRIND_OPTS) valgrind lists the errors again.
            reports, _, summary = text.partition("ERROR SUMMARY:")
            m = re.match(r" \d+ errors from (\d+)", summary)
            contexts += int(m.group(1)) if m else 0
            planted += sum('data symbol "unguarded"' in block
                           for block in reports.split("Possible data race")[1:])
            output += "\n[%s]\n%s" % (os.path.basename(path), tail(text, 80))
        detail = "helgrind: %d error contexts, %d on the planted race" % (contexts, planted)
        with self.lock:
            self.planted_races += planted
        if planted == 0:
            return Result("FAIL", detail + ": helgrind did not see it", output)
        if contexts != planted:
            return Result("FAIL", detail + ": other errors besides", output)
        return Result("PASS", detail)

    def run_script(self, test):
        env = self.test_env(test)
        return self.judge(self.run_proc([test.path], env, self.timeout_of(test),
                                        cwd=os.path.dirname(test.path),
                                        tag=test.name.replace("/", "__")), None)

    def judge(self, run, which):
        rc, out, err, timed_out = run
        label = "" if which is None else " against %s" % which
        output = format_output(out, err)
        if timed_out:
            return Result("FAIL", "timed out%s" % label, output)
        if rc == SKIP_EXIT:
            return Result("SKIP", last_line(err) or last_line(out), output)
        if rc != 0:
            return Result("FAIL", "%s%s" % (describe_exit(rc), label), output)
        return Result("PASS", "", output)

    def run_diff(self, test, exe):
        if self.args.paho_only:
            return self.judge(self.run_c(test, exe, "paho"), "paho")
        results = {}
        runs = {}
        for which in ("ours", "paho"):
            runs[which] = self.run_c(test, exe, which)
            results[which] = self.judge(runs[which], which)
        for which in ("ours", "paho"):
            if results[which].status != "PASS":
                other = "paho" if which == "ours" else "ours"
                r = results[which]
                r.output += "\n[%s run]\n%s" % (other, results[other].output)
                return r
        ours_out, paho_out = runs["ours"][1], runs["paho"][1]
        if ours_out != paho_out:
            diff = "".join(difflib.unified_diff(
                paho_out.splitlines(True), ours_out.splitlines(True),
                "stdout with Debian's Paho", "stdout with ours"))
            return Result("FAIL", "stdout differs from Debian's Paho", diff + "\n" +
                          "[ours stderr]\n" + tail(runs["ours"][2]) +
                          "\n[paho stderr]\n" + tail(runs["paho"][2]))
        return Result("PASS", "", results["ours"].output)


def valgrind_command(tool, logdir):
    """valgrind and its options for `tool`: errors make the process exit VALGRIND_ERROR_EXIT;
    memcheck counts definitely lost blocks as errors; one log per process in logdir."""
    cmd = ["valgrind", "--tool=" + tool, "--error-exitcode=%d" % VALGRIND_ERROR_EXIT,
           "--num-callers=40", "--log-file=" + os.path.join(logdir, "valgrind.%p.log"),
           "--suppressions=" + os.path.join(CTESTS, "valgrind.supp")]
    if tool == "memcheck":
        cmd += ["--leak-check=full", "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite"]
    elif tool == "helgrind":
        cmd += ["--suppressions=" + os.path.join(CTESTS, "helgrind-rust.supp")]
    return cmd


class CompileError(Exception):
    pass


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def tail(text, n=40):
    lines = text.splitlines()
    cut = lines[-n:]
    prefix = ["... (%d lines cut)" % (len(lines) - n)] if len(lines) > n else []
    return "\n".join(prefix + cut)


def last_line(text):
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip() if lines else ""


def format_output(out, err):
    parts = []
    if out.strip():
        parts.append("[stdout]\n" + tail(out))
    if err.strip():
        parts.append("[stderr]\n" + tail(err))
    return "\n".join(parts)


def describe_exit(rc):
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit code %d" % rc


def indent(text):
    return "".join("    " + l + "\n" for l in text.splitlines())


# --- Main ------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-k", dest="patterns", action="append", default=[], metavar="PATTERN",
                    help="run only tests whose name contains PATTERN (or matches it as a glob);"
                         " may be given more than once")
    ap.add_argument("-j", dest="jobs", type=int, default=2, help="tests run at once (default 2)")
    ap.add_argument("--timeout", type=int, default=60,
                    help="seconds one test program may run (default 60); over = failure")
    ap.add_argument("--paho-only", action="store_true",
                    help="run only the differential tests, only against Debian's Paho")
    ap.add_argument("--list", action="store_true", help="list the tests and exit")
    ap.add_argument("--libdir", help="use our libraries from this directory; no build")
    ap.add_argument("--includedir", help="with --libdir: our headers (default LIBDIR/../include)")
    ap.add_argument("--rebuild", action="store_true",
                    help="build and stage our libraries with CMake even if staged already")
    ap.add_argument("--build-dir", default=os.path.join(REPO_ROOT, "build"),
                    help="CMake build directory (default build/; staged into BUILD/stage)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show output of passing tests")
    ap.add_argument("--keep", action="store_true", help="keep the temp directory")
    ap.add_argument("--serve", action="store_true",
                    help="start the broker only, print its environment, wait for Ctrl-C")
    ap.add_argument("--env-file", help="with --serve: also write the export lines here")
    ap.add_argument("--valgrind", choices=sorted(VALGRIND_SLOWDOWN),
                    help="run each C test program under valgrind with this tool, against our"
                         " library only (differential tests too, without the comparison;"
                         " scripts are skipped); valgrind errors or definitely lost bytes fail"
                         " the test. Suppressions: c-tests/valgrind.supp (and for helgrind"
                         " c-tests/helgrind-rust.supp)")
    ap.add_argument("--valgrind-set", action="store_true",
                    help="only the representative subset for valgrind runs (VALGRIND_SET in"
                         " this file); combines with -k")
    return ap.parse_args(argv)


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def serve(args, workdir):
    broker = default_broker(os.path.join(workdir, "broker"),
                            make_certs(os.path.join(workdir, "certs"))).start()
    try:
        text = "".join("export %s='%s'\n" % kv for kv in sorted(broker_env(broker).items()))
        sys.stdout.write(text)
        sys.stdout.flush()
        if args.env_file:
            with open(args.env_file + ".tmp", "w") as f:
                f.write(text)
            os.replace(args.env_file + ".tmp", args.env_file)
        log("# broker running (pid %d); Ctrl-C or SIGTERM stops it" % broker.proc.pid)
        while broker.proc.poll() is None:
            time.sleep(0.5)
        log("# mosquitto exited:\n" + broker.log_tail())
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        broker.stop()


def main(argv):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    # Also when started from a script that ignores SIGINT in background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tests = [t for t in discover() if selected(t, args.patterns)]
    if args.valgrind_set:
        tests = [t for t in tests if t.name in VALGRIND_SET]
    if args.valgrind and not shutil.which("valgrind"):
        raise SystemExit("run.py: valgrind is missing (apt-get install valgrind)")
    if args.paho_only:
        tests = [t for t in tests if t.kind == "diff"]
    # xfail.txt is about our library; Debian's Paho is expected to pass everything.
    xfail = {} if args.paho_only else read_xfail()
    if args.list:
        for t in tests:
            note = "  (xfail: %s)" % xfail[t.name] if t.name in xfail else ""
            link = " -l" + t.link if t.link else ""
            log("%-40s %s%s%s" % (t.name, t.kind, link, note))
        return 0

    for tool in (MOSQUITTO, "mosquitto_passwd"):
        if not shutil.which(tool):
            raise SystemExit("run.py: %s is missing (apt-get install mosquitto)" % tool)
    workdir = tempfile.mkdtemp(prefix="paho-ctests.")
    broker = None
    runner = None
    try:
        if args.serve:
            return serve(args, workdir)
        if args.libdir:
            libdir = os.path.abspath(args.libdir)
            includedir = args.includedir or os.path.join(os.path.dirname(libdir), "include")
            if not os.path.isdir(includedir):
                includedir = os.path.join(REPO_ROOT, "include")
        elif args.paho_only:
            libdir = find_libdir(os.path.join(args.build_dir, "stage")) or ""
            includedir = os.path.join(REPO_ROOT, "include")
        else:
            libdir, includedir = stage_libraries(args)

        broker = default_broker(os.path.join(workdir, "broker"),
                                make_certs(os.path.join(workdir, "certs"))).start()
        env = dict(os.environ)
        env.pop("LD_LIBRARY_PATH", None)
        env.update(broker_env(broker))
        env.update({
            "REPO_ROOT": REPO_ROOT,
            "OUR_LIBDIR": libdir,
            "OUR_INCLUDEDIR": includedir,
            "PAHO_LIBDIR": PAHO_LIBDIR,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        log("== %d tests, %d at a time; broker %s (auth %s%s); our libraries: %s"
            % (len(tests), args.jobs, env["MQTT_TEST_URI"], env["MQTT_TEST_AUTH_URI"],
               ", " + env["MQTT_TEST_URI6"] if env["MQTT_TEST_URI6"] else "",
               "not used (--paho-only)" if args.paho_only else libdir))

        runner = Runner(args, env, workdir)
        counts = {"passed": 0, "failed": 0, "skipped": 0, "xfailed": 0, "xpassed": 0}
        failed, xpassed = [], []
        started = time.monotonic()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            futures = {}
            for t in tests:
                futures[pool.submit(timed, runner.run_test, t)] = t
            for fut in concurrent.futures.as_completed(futures):
                t = futures[fut]
                result, seconds = fut.result()
                status = result.status
                if t.name in xfail and status in ("PASS", "FAIL"):
                    status = "XPASS" if status == "PASS" else "XFAIL"
                    if status == "XFAIL":
                        result.detail = (result.detail + "; " if result.detail else "") + \
                            "expected: " + xfail[t.name]
                key = {"PASS": "passed", "FAIL": "failed", "SKIP": "skipped",
                       "XFAIL": "xfailed", "XPASS": "xpassed"}[status]
                counts[key] += 1
                if status == "FAIL":
                    failed.append(t.name)
                if status == "XPASS":
                    xpassed.append(t.name)
                line = "%-5s %s (%.1fs)%s" % (status, t.name, seconds,
                                              " - " + result.detail if result.detail else "")
                show = status == "FAIL" or (args.verbose and result.output)
                log(line + ("\n" + indent(result.output) if show and result.output else ""))
        except KeyboardInterrupt:
            runner.kill_all()
            pool.shutdown(wait=True, cancel_futures=True)
            log("interrupted")
            return 130
        pool.shutdown(wait=True)

        log("")
        log("== %d tests in %.1f s" % (len(tests), time.monotonic() - started))
        if failed:
            log("failed: " + " ".join(failed))
        if counts["xfailed"] or counts["xpassed"]:
            log("%d xfailed, %d xpassed%s" % (
                counts["xfailed"], counts["xpassed"],
                " (XPASS: %s; take them out of c-tests/xfail.txt)" % " ".join(xpassed)
                if xpassed else ""))
        if args.valgrind == "memcheck":
            log("valgrind memcheck: %d errors, %d bytes definitely lost in %d processes"
                % tuple(runner.valgrind_totals))
        elif args.valgrind:
            log("valgrind %s: %d errors in %d processes%s"
                % (args.valgrind, runner.valgrind_totals[0], runner.valgrind_totals[2],
                   "; the planted race reported %d time(s)" % runner.planted_races
                   if any(t.kind == "race" for t in tests) else ""))
        summary = "%d passed, %d failed" % (counts["passed"] + counts["xpassed"], counts["failed"])
        if counts["skipped"]:
            summary += ", %d skipped" % counts["skipped"]
        log(summary)
        return 1 if counts["failed"] else 0
    except KeyboardInterrupt:
        if runner:
            runner.kill_all()
        log("interrupted")
        return 130
    finally:
        if broker:
            broker.stop()
        if args.keep:
            log("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def timed(fn, *a):
    t0 = time.monotonic()
    r = fn(*a)
    return r, time.monotonic() - t0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
