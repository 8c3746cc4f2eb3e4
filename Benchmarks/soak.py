#!/usr/bin/env python3
"""make soak: honest clients and zenki next to hostile ones, all at once, against a real cube.

One `cube run` (the build given with --cube) on a temporary unix socket, a loopback TCP
listener and a temporary FUSE mount (--no-mount: none), with a node identity (so c25519 is
offered), two password users and a stdio zenka (`hello-sh`, the shipped shell example) under
its manager. Next to it:

  honest   unix-root sessions sending a steady mix of requests (local `heart`, routed
           `bench.echo` to a socket zenka, `hello-sh.hello` to the stdio zenka, `offers` now
           and then), a `pwd` login every second from uid 0, and the responder zenka `bench`;
  hostile  the abuses of issue 12, each a function below that runs in its own process, as
           unprivileged unix users (nobody, daemon, bin) or unauthenticated TCP peers, and each
           switched off with --no-<name>.

docs/soak.md explains every row. Timeline (SOAK_SECONDS / --seconds, default 180): honest
warm-up, then every abuse at once, then the abusers leave and the honest clients go on alone
for a while, then they stop and wait for their last replies. The cube's VmRSS is sampled all
along.

It prints one table and exits 1 when a bound is exceeded: an honest request lost (sent and
never answered with any reply) or answered FALSE, honest p99 latency during the abuse, the
slowest honest pwd login during the password burst, peak RSS above limits.memory (or
--max-rss-mib). --short is the <= 60 s version meant for `make test`.

Two measurements of issue 12's "done when" are separate modes (nothing else runs then):
  --measure-churn    RSS after 1,000 and after 50,000 mixed connect/close cycles
  --measure-close    worst local-heart latency of an unrelated client while N sessions of
                     one plain user close at once

    python3 Benchmarks/soak.py --cube .build/release/cube --p7load .build/bench/p7load
"""
import argparse
import base64
import json
import os
import pwd
import re
import resource
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import run as bench  # noqa: E402  (make bench's helpers: processes, RSS, the responder zenka)
from run import free_port, mounted, rss_kib, start_responder, stop  # noqa: E402
BANNER = b"\\\\PROTOCOL-7-VERSION\\\\NZXZDSA\\\\\n"
HONEST_PASSWORD = "honest-soak-password"
VICTIM_PASSWORD = "victim-soak-password"

started = []  # Popen objects we started, stopped in stop_all()
children = {}  # pid -> abuse/honest name, forked by us


def log(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


# ---- processes and the cube -------------------------------------------------------------

def spawn(argv, log_path, **kw):
    proc = subprocess.Popen(argv, stderr=open(log_path, "ab"), **kw)
    started.append(proc)
    return proc


def stop_all(mount):
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        children.pop(pid, None)
    for proc in reversed(started + bench.started):
        stop(proc)
    if mount and mounted(mount):
        log(f"{mount} still mounted after the cube stopped; unmounting")
        for cmd in (["fusermount3", "-u", mount], ["umount", "-l", mount]):
            if subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode == 0:
                break


def passwd_line(cube, name, password):
    out = subprocess.run([cube, "passwd", name], input=password + "\n", capture_output=True, text=True, check=True)
    return out.stdout.strip()


def write_config(args, work):
    identity = os.path.join(work, "identity.key")
    subprocess.run([args.cube, "keygen", "--out", identity], capture_output=True, check=True)
    client_key = subprocess.run([args.cube, "keygen", "--out", os.path.join(work, "client.key")],
                                capture_output=True, text=True, check=True).stdout.strip()
    hello_sh = os.path.join(REPO, "configuration/zenki/hello-sh/hello.sh")  # the shipped example
    args.port = free_port()
    lines = [
        "node.name = soak",
        "auth.methods = c25519 zenka unix pwd",
        f"auth.c25519.identity = {identity}",
        f"socket.tcp.listen = 127.0.0.1:{args.port}",
        "auth.unix.implicit = yes",
        "auth.zenka.any-name = yes",
        passwd_line(args.cube, "honest", HONEST_PASSWORD),
        passwd_line(args.cube, "victim", VICTIM_PASSWORD),
        "access.cmd.usr.unix-root = **",
        "access.cmd.usr.honest = **",
        "access.cmd.usr.v7 = **",
        # mount-strm: nobody writes commands for the hostile zenka bigstrm through the mount
        "access.cmd.usr.unix-nobody = bigstrm.*",
        # the default policy's everyone-rules (configuration/cube.conf)
        "access.cmd.usr.* = heart whoami name commands list present ptl-ver exit close "
        "select unselect basepath *.heart v7.list v7.status v7.notify_online "
        "offer unoffer offers acquire renew release leases",
        # room for the 10,000 sessions of --measure-close next to everybody else
        f"limits.sessions = {args.sessions_limit}",
        "zenka.hello-sh.program = /bin/sh",
        f"zenka.hello-sh.args = {hello_sh}",
        "zenka.hello-sh.mode = stdio",
        "zenka.hello-sh.start = always",
        "zenka.hello-sh.restart = on-failure",
    ]
    if args.memory_limit:
        lines.append(f"limits.memory = {args.memory_limit}")
    if args.event_loops is not None:
        lines.append(f"socket.event-loops = {args.event_loops}")
    with open(os.path.join(work, "cube.conf"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # c25519 `hello <C> <Ce>`: a real Ed25519 identity, an X25519 key of random bytes (the
    # node computes its session keys from it before it answers; nobody ever signs).
    ce = base64.b32encode(os.urandom(32)).decode().rstrip("=")
    args.hello = f"hello {client_key} {ce}"


def memory_limit_text(args, work):
    """limits.memory as this cube sees it: given, default of the source tree, or unknown."""
    check = subprocess.run([args.cube, "check-config", "--config", os.path.join(work, "cube.conf")],
                           capture_output=True, text=True)
    unknown = "unknown key 'limits.memory'" in check.stdout + check.stderr
    if args.memory_limit:
        return (f"{args.memory_limit} (unknown to this cube: ignored)" if unknown else args.memory_limit), \
            None if unknown else parse_bytes(args.memory_limit)
    try:
        source = open(os.path.join(REPO, "Sources/cube/DefaultConfiguration.swift")).read()
    except OSError:
        source = ""
    found = re.search(r"^\s*limits\.memory\s*=\s*(\S+)", source, re.M)
    if found:
        return f"{found.group(1)} (default)", parse_bytes(found.group(1))
    return "not configurable yet", None


def parse_bytes(text):
    """`512MiB`, `512 MiB`, `2G`, `1000000`: bytes (the units of protocol.md's capacities), or None."""
    units = {"": 1, "B": 1, "k": 1000, "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, "TB": 1000 ** 4,
             "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40,
             "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
    m = re.fullmatch(r"(\d+)\s*([A-Za-z]*)", text.strip().strip('"'))
    if not m or m.group(2) not in units:
        return None
    return int(m.group(1)) * units[m.group(2)]


class Cube:
    """`cube run` with the soak configuration, serving (banner answered) when constructed."""

    def __init__(self, args, work):
        self.socket = os.path.join(work, "cube.sock")
        argv = [args.cube, "run", "--config", os.path.join(work, "cube.conf"), "--socket", self.socket,
                "--log-level", "warning"]
        self.mount = os.path.join(work, "net") if args.mount else None
        if self.mount:
            os.makedirs(self.mount, exist_ok=True)
            argv += ["--mount", self.mount, "--allow-other"]
        else:
            argv += ["--no-mount"]
        self.proc = spawn(argv, os.path.join(work, "cube.log"), stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.proc.poll() is not None:
                raise RuntimeError("cube exited during start-up (see cube.log)")
            if time.monotonic() > deadline:
                raise RuntimeError("cube did not serve within 30 s")
            time.sleep(0.01)

    def _answers(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(self.socket)
                return s.recv(32) == BANNER
        except OSError:
            return False

    @property
    def pid(self):
        return self.proc.pid


# ---- a small blocking protocol client ----------------------------------------------------

class Session:
    """A unix-socket connection; login() sends the pre-auth lines and waits for AUTH_TRUE."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except BlockingIOError:  # the listen backlog is full: the cube is behind accepting
                if time.monotonic() > deadline:
                    raise ConnectionError("connect: listen backlog full for the whole timeout")
                time.sleep(0.005)
        self.buf = b""

    def read_until(self, marker):
        while marker not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError(f"closed; got {self.buf[-200:]!r}")
            self.buf += data
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def login(self, lines):
        self.sock.sendall(lines)
        got = self.read_until(b"\n")  # banner or refusal
        if got != BANNER:
            raise ConnectionError(f"no banner: {got!r}")
        while True:
            line = self.read_until(b"\n")
            if line == b"AUTH_TRUE =)\n":
                return self
            if not line.startswith(b"TRUE "):
                raise ConnectionError(f"login refused: {line!r}")

    def unix(self, user="unix-root"):
        return self.login(f"select unix\nauth {user}\n".encode())

    def call(self, line):
        self.sock.sendall(b"(1)" + line.encode() + b"\n")
        return self.read_until(b"\n")

    def close(self):
        self.sock.close()


# ---- forked workers ----------------------------------------------------------------------

def as_user(name):
    entry = pwd.getpwnam(name)
    os.setgroups([])
    os.setgid(entry.pw_gid)
    os.setuid(entry.pw_uid)


def fork_worker(name, fn, ctx, user=None):
    """Runs fn(ctx) in a child (as unix user `user`); its result dict goes to stats/<name>.json."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        children[pid] = name
        return pid
    status = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if user:
            as_user(user)
        result = fn(ctx) or {}
    except (OSError, ConnectionError) as error:  # the cube refused or closed it: reported, not a crash
        result = {"error": f"{type(error).__name__}: {error}"}
    except BaseException as error:  # the child must never return into the parent's code
        result = {"error": f"{type(error).__name__}: {error}", "crashed": True}
        status = 1
    try:
        with open(os.path.join(ctx["work"], "stats", f"{name}.json"), "w") as f:
            json.dump(result, f)
    finally:
        os._exit(status)


def wait_workers(names, timeout):
    deadline = time.monotonic() + timeout
    while any(n in names for n in children.values()):
        for pid, name in list(children.items()):
            if name not in names:
                continue
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                children.pop(pid)
        if time.monotonic() > deadline:
            for pid, name in list(children.items()):
                if name in names:
                    log(f"{name} did not end in time; killed")
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    children.pop(pid)
        time.sleep(0.05)


def read_stats(work, name):
    try:
        with open(os.path.join(work, "stats", f"{name}.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"error": "no result (still busy when the abuse ended, so killed)"}


def sleep_until(t):
    while True:
        left = t - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))


# ---- honest clients ----------------------------------------------------------------------

class HonestConn:
    """One honest session with requests in flight; parses replies (SIZE bodies included)."""

    def __init__(self, path):
        self.s = Session(path, timeout=10).unix()
        self.buf = self.s.buf
        self.pending = {}  # id -> (kind, sent time)
        self.body_left = 0
        self.closed = False
        self.counted = False
        self.out = b""  # requests the socket has not taken yet

    def send(self, rid, kind, line, t):
        """Queues the request and writes what the socket takes now. Never blocks: a cube that
        stops reading this session for a while (backpressure) delays requests, it does not
        lose them; only a session the cube closes loses what was in flight."""
        self.pending[rid] = (kind, t)
        self.out += f"({rid}){line}\n".encode()
        self.flush()

    def flush(self):
        if not self.out or self.closed:
            return
        try:
            sent = self.s.sock.send(self.out, socket.MSG_DONTWAIT)
            self.out = self.out[sent:]
        except BlockingIOError:
            pass
        except OSError:
            self.closed = True

    def replies(self, limit_body):
        """Reads once (the selector saw data); returns (id, keyword, size, text) per final reply."""
        try:
            data = self.s.sock.recv(1 << 20)
            if not data:
                self.closed = True
            self.buf += data
        except OSError:
            self.closed = True
        out = []
        while True:
            if self.body_left:
                take = min(self.body_left, len(self.buf))
                self.buf = self.buf[take:]
                self.body_left -= take
                if self.body_left:
                    break
            nl = self.buf.find(b"\n")
            if nl < 0:
                break
            line, self.buf = self.buf[:nl], self.buf[nl + 1:]
            m = re.match(rb"\((\d+)\)(TRUE|FALSE|WAIT|SIZE|STRM|GET|TERM)\b ?(.*)", line)
            if not m:
                continue  # notices (lease-end, !TERM!) carry no id
            rid, kw, rest = int(m.group(1)), m.group(2).decode(), m.group(3)
            size = 0
            if kw in ("SIZE", "STRM"):
                size = int(rest.split()[0]) if rest.split() else 0
                self.body_left = size
            if kw in ("WAIT",) or (kw == "STRM" and size > 0):
                continue  # not final yet
            out.append((rid, kw, size, rest[:120].decode(errors="replace")))
        return out


stop_requested = False


def request_stop(*_):
    global stop_requested
    stop_requested = True


def honest_requests(ctx):
    """ctx: socket, interval, conns, drain. Sends and times a mix of requests until SIGUSR1."""
    signal.signal(signal.SIGUSR1, request_stop)
    conns = [HonestConn(ctx["socket"]) for _ in range(ctx["conns"])]
    sel = selectors.DefaultSelector()
    for i, c in enumerate(conns):
        sel.register(c.s.sock, selectors.EVENT_READ, i)
    kinds = [("heart", "heart"), ("echo", "bench.echo honest"), ("stdio", "hello-sh.hello honest")]
    samples = []  # (sent, latency, kind, keyword)
    sent = false_replies = disconnects = oversized = lost_on_drop = 0
    falses, drops, lost_entries = {}, [], []
    next_id, next_offers = 1, time.monotonic() + 3
    next_send = time.monotonic()
    until = drain_until = float("inf")
    while True:
        t = time.monotonic()
        if stop_requested and until == float("inf"):
            until, drain_until = t, t + ctx["drain"]
        if t >= next_send and t < until:
            for i, c in enumerate(conns):
                if c.closed:
                    if not c.counted:
                        disconnects += 1
                        c.counted = True
                        try:
                            sel.unregister(c.s.sock)
                        except (KeyError, ValueError):
                            pass
                        c.s.close()
                        lost_on_drop += len(c.pending)
                        lost_entries.extend(c.pending.values())
                        drops.append(c.buf[-200:].decode(errors="replace"))
                    try:
                        conns[i] = c = HonestConn(ctx["socket"])
                    except (OSError, ConnectionError) as error:
                        drops.append(f"reconnect: {error}")
                        continue
                    sel.register(c.s.sock, selectors.EVENT_READ, i)
                kind, line = kinds[next_id % len(kinds)]
                if t >= next_offers and i == 0:
                    kind, line, next_offers = "offers", "offers", t + 10
                c.send(next_id, kind, line, t)
                next_id += 1
                sent += 1
            next_send += ctx["interval"]
        if t >= until and (all(not c.pending for c in conns) or t >= drain_until):
            break
        for c in conns:
            c.flush()
        for key, _ in sel.select(timeout=max(0.0005, min(0.05, next_send - t if t < until else 0.05))):
            c = conns[key.data]
            now = time.monotonic()
            for rid, kw, size, text in c.replies(ctx["body_limit"]):
                entry = c.pending.pop(rid, None)
                if entry is None:
                    continue
                kind, t0 = entry
                samples.append((t0, now - t0, kind, kw))
                if kw == "FALSE":
                    false_replies += 1
                    falses[f"{kind}: FALSE {text}"] = falses.get(f"{kind}: FALSE {text}", 0) + 1
                if size > ctx["body_limit"]:
                    oversized += 1
            if c.closed:
                try:
                    sel.unregister(c.s.sock)
                except (KeyError, ValueError):
                    pass
    lost = lost_on_drop + sum(len(c.pending) for c in conns if not c.counted)
    for c in conns:
        if not c.counted:
            lost_entries.extend(c.pending.values())
    lost_kinds = {}
    for kind, _ in lost_entries:
        lost_kinds[kind] = lost_kinds.get(kind, 0) + 1
    lost_on_drop += sum(len(c.pending) for c in conns if c.closed and not c.counted)
    return {"sent": sent, "answered": len(samples), "lost": lost, "false": false_replies, "falses": falses,
            "disconnects": disconnects, "lost_on_drop": lost_on_drop, "lost_kinds": lost_kinds,
            "lost_sent": sorted(t for _, t in lost_entries)[:1] + sorted(t for _, t in lost_entries)[-1:], "drops": drops[:5], "oversized": oversized, "samples": samples}


def honest_pwd_logins(ctx):
    """A pwd login as `honest` every second from uid 0 until SIGUSR1; time to AUTH_TRUE."""
    signal.signal(signal.SIGUSR1, request_stop)
    results = []
    while not stop_requested:
        t0 = time.monotonic()
        banner = float("nan")
        try:
            s = Session(ctx["socket"], timeout=20)  # > timeouts.login, so the cube's own timeout shows
            # the banner first, so the table can tell waiting to be served from the check
            got = s.read_until(b"\n")
            banner = time.monotonic() - t0
            s.buf = got + s.buf
            s.login(f"select pwd\nauth honest {HONEST_PASSWORD}\n".encode())
            s.close()
            results.append((t0, time.monotonic() - t0, "ok", banner))
        except (OSError, ConnectionError) as error:
            results.append((t0, time.monotonic() - t0, str(error)[:100], banner))
        path = os.path.join(ctx["work"], "stats", "pwd-logins.json")
        with open(path + ".new", "w") as f:
            json.dump({"logins": results}, f)  # as it goes: a login cut off at the end loses only itself
        os.replace(path + ".new", path)
        time.sleep(max(0.0, 1 - (time.monotonic() - t0)))
    return {"logins": results}


# ---- abuses (issue 12), one function each ------------------------------------------------

def abuse_churn(ctx):
    """Connect/close churn: unix logins, unix pre-auth banner readers, unfinished c25519 over TCP."""
    secs = max(1, ctx["until"] - time.monotonic())
    out = subprocess.run([ctx["p7load"], "churn", ctx["socket"], str(ctx["port"]), str(int(ctx["churn_rate"] * secs)),
                          "unix-nobody", ctx["hello"], str(ctx["churn_rate"]), str(secs)], capture_output=True, text=True)
    return {"result": out.stdout.strip(), "stderr": out.stderr.strip()[-300:]}


def abuse_mass_close(ctx):
    """One plain user (daemon) opens N sessions, then closes them all at once; repeated."""
    rounds, errors = 0, []
    while time.monotonic() < ctx["until"] - 5:
        idle = subprocess.Popen([ctx["p7load"], "idle", ctx["socket"], str(ctx["mass_sessions"]), "unix-daemon"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = idle.stdout.readline().decode()
        if not line.startswith("ready"):
            errors.append(idle.stderr.read().decode()[-200:])
            idle.wait()
            time.sleep(2)
            continue
        time.sleep(2)
        idle.stdin.close()  # p7load exits: the kernel closes all its sessions at once
        idle.wait()
        rounds += 1
        time.sleep(2)
    return {"rounds": rounds, "sessions": ctx["mass_sessions"], "errors": errors[:3]}


def hold(ctx, sessions):
    sleep_until(ctx["until"])
    for s in sessions:
        s.close()


class Cut:
    """What the cube did to an abuser's sessions: refused or closed them (fine: counted)."""

    def __init__(self):
        self.count, self.first = 0, None

    def note(self, error):
        self.count += 1
        self.first = self.first or f"{type(error).__name__}: {error}"[:120]

    def result(self, **figures):
        return dict(figures, **({"refused_or_closed": self.count, "first": self.first} if self.count else {}))


def abuse_multiline(ctx):
    """Unfinished multi-line commands: each session sends a body just under limits.body, no `.`."""
    sessions, sent, cut = [], 0, Cut()
    line = b"x" * 60000 + b"\n"
    for _ in range(ctx["multiline_sessions"]):
        if time.monotonic() >= ctx["until"]:
            break
        try:
            s = Session(ctx["socket"]).unix("unix-nobody")
            sessions.append(s)
            s.sock.sendall(b"(1)hello-sh.heart+\n\n")
            for _ in range(ctx["multiline_bytes"] // len(line)):
                if time.monotonic() >= ctx["until"]:
                    break
                s.sock.sendall(line)
                sent += len(line)
        except (OSError, ConnectionError) as error:
            cut.note(error)
    hold(ctx, sessions)
    return cut.result(sessions=len(sessions), bytes=sent)


def abuse_offers(ctx):
    """Offers with huge attribute lists (one line each, just under limits.line)."""
    attrs = " ".join(f"a{i}=" + "v" * 40 for i in range(1400))  # ~61 KB
    answers, sessions, cut = {}, [], Cut()
    try:
        s = Session(ctx["socket"]).unix("unix-nobody")
        sessions.append(s)
        for i in range(ctx["offers"]):
            if time.monotonic() >= ctx["until"]:
                break
            s.sock.sendall(f"({i + 1})offer storage 1GiB {attrs}\n".encode())
            reply = s.read_until(b"\n").decode()
            key = re.sub(r"\d+", "N", reply.split(")", 1)[-1].strip())[:60]
            answers[key] = answers.get(key, 0) + 1
    except (OSError, ConnectionError) as error:
        cut.note(error)
    hold(ctx, sessions)
    return cut.result(offers=ctx["offers"], answers=answers)


def abuse_deferred(ctx):
    """Masses of deferred routes: `v7.notify_online` for names that never come."""
    sessions, sent, cut = [], 0, Cut()
    for k in range(ctx["deferred_sessions"]):
        if time.monotonic() >= ctx["until"]:
            break
        try:
            s = Session(ctx["socket"]).unix("unix-nobody")
            sessions.append(s)
            s.sock.sendall(b"".join(f"({i + 1})v7.notify_online ghost{k}x{i}\n".encode()
                                    for i in range(ctx["deferred_per_session"])))
            sent += ctx["deferred_per_session"]
        except (OSError, ConnectionError) as error:
            cut.note(error)
    hold(ctx, sessions)
    return cut.result(routes=sent)


def abuse_heart_flood(ctx):
    """200 x `hello-sh.heart <65,000 bytes>` in one write at the stdio zenka, every few seconds."""
    s = Session(ctx["socket"]).unix("unix-nobody")
    payload = "h" * 65000
    bursts = replies = 0
    next_burst = time.monotonic()
    sel = selectors.DefaultSelector()
    sel.register(s.sock, selectors.EVENT_READ)
    end = "until the end"
    while time.monotonic() < ctx["until"]:
        if time.monotonic() >= next_burst:
            try:
                s.sock.sendall(b"".join(f"({bursts * 1000 + i + 1})hello-sh.heart {payload}\n".encode()
                                        for i in range(ctx["heart_count"])))
            except OSError as error:
                end = f"send: {error}"
                break
            bursts += 1
            next_burst += ctx["heart_period"]
        if sel.select(timeout=0.2):
            data = s.sock.recv(1 << 16)
            if not data:
                end = "closed by the cube"
                break
            replies += data.count(b"\n")
    return {"bursts": bursts, "replies": replies, "session": end}


def abuse_pwd_burst(ctx):
    """One uid (bin) fires many wrong passwords at once (for the pwd user `victim`)."""
    bursts = []
    next_burst = time.monotonic() + 5
    while next_burst < ctx["until"] - 10:
        sleep_until(next_burst)
        t0 = time.monotonic()
        socks, answers = [], {}
        for i in range(ctx["pwd_count"]):
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(ctx["socket"])
                s.sendall(f"select pwd\nauth victim wrong-{i}\n".encode())
                s.setblocking(False)
                socks.append(s)
            except OSError as error:
                answers[str(error)[:40]] = answers.get(str(error)[:40], 0) + 1
        sel = selectors.DefaultSelector()
        bufs = {}
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
            bufs[s] = b""
        while bufs and time.monotonic() < ctx["until"]:
            for key, _ in sel.select(timeout=0.5):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if data:
                    bufs[s] += data
                    continue
                last = bufs.pop(s).rstrip(b"\n").split(b"\n")[-1].decode(errors="replace")
                answers[last[:40]] = answers.get(last[:40], 0) + 1
                sel.unregister(s)
                s.close()
        for s in bufs:
            answers["(no answer)"] = answers.get("(no answer)", 0) + 1
            s.close()
        bursts.append({"start": t0, "end": time.monotonic(), "answers": answers})
        next_burst = t0 + ctx["pwd_period"]
    return {"bursts": bursts}


def abuse_slow_readers(ctx):
    """Sessions that pipeline requests with large replies and never read one."""
    sessions, cut = [], Cut()
    request = b"".join(f"({i + 1})commands\n".encode() for i in range(ctx["slow_requests"]))
    for _ in range(ctx["slow_sessions"]):
        if time.monotonic() >= ctx["until"]:
            break
        try:
            s = Session(ctx["socket"]).unix("unix-nobody")
            sessions.append(s)
            s.sock.settimeout(5)
            s.sock.sendall(request)
        except (OSError, ConnectionError) as error:
            cut.note(error)  # the cube may stop reading (backpressure) or drop us: both fine
    hold(ctx, sessions)
    return cut.result(sessions=len(sessions), requests_each=ctx["slow_requests"])


def abuse_mount_strm(ctx):
    """A zenka answering commands written through the mount with large STRM streams."""
    chunk = b"s" * (1 << 20)
    cmd = os.path.join(ctx["mount_dir"], "zenki", "bigstrm", "cmd")
    streamed, sessions, cut = 0, [], Cut()
    try:
        s = Session(ctx["socket"]).login(f"select zenka\nbigstrm {ctx['bigstrm_key']}\n".encode())
        sessions.append(s)
        for i in range(ctx["strm_commands"]):
            if time.monotonic() >= ctx["until"]:
                break
            with open(cmd, "w") as f:
                f.write(f"get {i}\n")
            line = s.read_until(b"\n").decode()
            tid = line[1:line.index(")")]
            head = f"({tid})STRM {len(chunk)}\n".encode()
            for _ in range(ctx["strm_chunks"]):
                if time.monotonic() >= ctx["until"]:
                    break
                s.sock.sendall(head + chunk)
                streamed += len(chunk)
            s.sock.sendall(f"({tid})STRM 0\n({tid})TRUE end-of-stream\n".encode())
    except (OSError, ConnectionError) as error:
        cut.note(error)
    hold(ctx, sessions)
    return cut.result(commands=ctx["strm_commands"], bytes=streamed)


ABUSES = {
    "churn": (abuse_churn, "nobody"),
    "mass-close": (abuse_mass_close, "daemon"),
    "multiline": (abuse_multiline, "nobody"),
    "offers": (abuse_offers, "nobody"),
    "deferred": (abuse_deferred, "nobody"),
    "heart-flood": (abuse_heart_flood, "nobody"),
    "pwd-burst": (abuse_pwd_burst, "bin"),
    "slow-readers": (abuse_slow_readers, "nobody"),
    "mount-strm": (abuse_mount_strm, "nobody"),
}


# ---- the soak ----------------------------------------------------------------------------

def wait_online(cube, name, timeout=30):
    s = Session(cube.socket).unix()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if s.call(f"{name}.heart").startswith(b"(1)TRUE"):
            s.close()
            return
        time.sleep(0.2)
    raise RuntimeError(f"zenka {name} did not come online")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))]


def soak(args, work):
    cube = Cube(args, work)
    start_responder(args, cube, work)
    wait_online(cube, "hello-sh")
    memory_text, memory_bytes = memory_limit_text(args, work)

    t0 = time.monotonic()
    warm, leave = args.warmup, args.after
    abuse_start = t0 + warm
    # the whole run stays within --seconds: warm-up, abuse, the abusers' leaving (at most
    # --leave-grace, then they are killed), honest traffic alone, the honest drain
    # (--short: the drain comes on top; it ends as soon as every honest request is answered)
    abuse_end = t0 + args.seconds - leave - args.leave_grace - (0 if args.short else args.drain)
    ctx = {"work": work, "socket": cube.socket, "port": args.port, "hello": args.hello, "p7load": args.p7load,
           "until": abuse_end, "body_limit": 16 * 1024 * 1024}
    ctx.update({k: v for k, v in vars(args).items() if k not in ctx})
    honest_pids = [fork_worker("honest", honest_requests, dict(ctx, interval=args.interval,
                                                               conns=args.honest_conns, drain=args.drain))]
    if not args.no_pwd_logins:
        honest_pids.append(fork_worker("pwd-logins", honest_pwd_logins, ctx))

    samples = []  # (t, rss KiB)

    def sample_until(t_end):
        while time.monotonic() < t_end:
            samples.append((time.monotonic(), rss_kib(cube.pid)))
            if cube.proc.poll() is not None:
                raise RuntimeError(f"the cube exited (status {cube.proc.returncode}) during the soak")
            time.sleep(0.2)

    sample_until(abuse_start)
    enabled = [name for name in ABUSES if name not in args.off]
    if "mount-strm" in enabled:
        if cube.mount:
            ctx["bigstrm_key"] = os.urandom(12).hex()
            admin = Session(cube.socket).unix()
            if not admin.call(f"session-key bigstrm {ctx['bigstrm_key']}").startswith(b"(1)TRUE"):
                raise RuntimeError("session-key for bigstrm refused")
            admin.close()
            ctx["mount_dir"] = cube.mount
        else:
            enabled.remove("mount-strm")
    log(f"abuse for {abuse_end - abuse_start:.0f} s: {' '.join(enabled)}")
    for name in enabled:
        fn, user = ABUSES[name]
        fork_worker(name, fn, ctx, user)
    sample_until(abuse_end)
    log("abusers leave")
    wait_workers(enabled, args.leave_grace)
    left_at = time.monotonic()
    honest_end = left_at + leave
    sample_until(honest_end)
    log("honest clients stop; waiting for their last replies")
    for pid in honest_pids:
        os.kill(pid, signal.SIGUSR1)
    wait_workers(["pwd-logins"], 2)  # a pwd login still waiting is cut off
    wait_workers(["honest"], args.drain + 12)  # it ends by itself after --drain
    samples.append((time.monotonic(), rss_kib(cube.pid)))

    honest = read_stats(work, "honest")
    logins = read_stats(work, "pwd-logins").get("logins", [])
    abuse_stats = {name: read_stats(work, name) for name in enabled}
    if "error" in honest:
        raise RuntimeError(f"honest client failed: {honest['error']}")

    during = [lat for (ts, lat, kind, kw) in honest["samples"] if abuse_start <= ts < abuse_end]
    before = [lat for (ts, lat, kind, kw) in honest["samples"] if ts < abuse_start]
    worst_kind = {}
    for (ts, lat, kind, kw) in honest["samples"]:
        if abuse_start <= ts < abuse_end:
            worst_kind[kind] = max(worst_kind.get(kind, 0), lat)
    bursts = abuse_stats.get("pwd-burst", {}).get("bursts", [])
    in_burst = [r for r in logins if any(b["start"] <= r[0] <= b["end"] for b in bursts)]
    login_fail = [r for r in logins if r[2] != "ok"]
    # A login that ran out of time (the client's 20 s or the cube's timeouts.login) is late,
    # not refused; --short, on a debug build at load, gates only on refusals.
    login_late = [r for r in login_fail if "timed out" in r[2] or ">:| timeout" in r[2]]
    login_refused = [r for r in login_fail if r not in login_late]
    rss_start = statistics.median(r for (t, r) in samples if abuse_start - 2 <= t <= abuse_start)
    rss_peak = max(r for (t, r) in samples)
    rss_after = statistics.median(r for (t, r) in samples if t >= honest_end - 2)

    rows, failed = [], []

    def row(name, value, bound=None, bad=False):
        rows.append((name, value, bound or "", "EXCEEDED" if bad else ("ok" if bound else "")))
        if bad:
            failed.append(name)

    ms = lambda x: f"{x * 1000:,.1f}"
    row("honest requests sent", f"{honest['sent']:,}")
    row("  answered", f"{honest['answered']:,}")
    row("  lost (never answered)", f"{honest['lost']:,}", f"<= {args.max_lost}", honest["lost"] > args.max_lost)
    row("  answered FALSE", f"{honest['false']:,}", f"<= {args.max_false}", honest["false"] > args.max_false)
    row("  reconnects (session dropped by the cube)", f"{honest['disconnects']:,}")
    row("  replies over limits.body", f"{honest['oversized']:,}", "0", honest["oversized"] > 0)
    row("honest p50 before the abuse, ms", ms(pct(before, 0.5)))
    row("honest p99 before the abuse, ms", ms(pct(before, 0.99)))
    row("honest p50 during the abuse, ms", ms(pct(during, 0.5)))
    row("honest p99 during the abuse, ms", ms(pct(during, 0.99)), bound_text(f"<= {args.max_p99_ms:g}", args.max_p99_ms),
        pct(during, 0.99) * 1000 > args.max_p99_ms)
    row("honest worst during the abuse, ms", ms(max(during) if during else float("nan")))
    if logins:
        calm = [r[1] for r in logins if r not in in_burst and r[2] == "ok"]
        late = f", {len(login_late)} timed out" if login_late else ""
        if args.short:
            row("honest pwd logins failed (of all)", f"{len(login_fail)} of {len(logins)}{late}", "0 refused",
                bool(login_refused))
        else:
            row("honest pwd logins failed (of all)", f"{len(login_fail)} of {len(logins)}{late}", "0", bool(login_fail))
        row("  pwd login p50 outside bursts, s", f"{pct(calm, 0.5):.3f}")
        banners = [r[3] for r in logins if len(r) > 3 and r[2] == "ok"]
        if banners:
            row("  of which the banner, p50 / worst, s", f"{pct(banners, 0.5):.3f} / {max(banners):.3f}")
        if bursts:
            slowest = max(in_burst, key=lambda r: r[1], default=None)
            worst = slowest[1] if slowest else float("nan")
            # of which waiting for the banner (accept and event loop), the rest is login and check
            banner = f", banner {slowest[3]:.3f}" if slowest and len(slowest) > 3 else ""
            row(f"  pwd login worst during {len(bursts)} burst(s) of {args.pwd_count} wrong, s",
                f"{worst:.3f}{banner} ({len(in_burst)} logins)", bound_text(f"<= {args.max_pwd_login_s:g}", args.max_pwd_login_s),
                bool(in_burst) and worst > args.max_pwd_login_s)
    limit_mib = (memory_bytes / 1048576) if memory_bytes else args.max_rss_mib
    row("limits.memory", memory_text)
    row("cube RSS at start, MiB", f"{rss_start / 1024:,.1f}")
    row("cube RSS peak, MiB", f"{rss_peak / 1024:,.1f}",
        f"<= {limit_mib:,.0f}" if limit_mib else None, bool(limit_mib) and rss_peak / 1024 > limit_mib)
    row(f"cube RSS {honest_end - left_at:.0f} s after the abusers left, MiB", f"{rss_after / 1024:,.1f}",
        f"<= start + {args.max_after_growth_pct:g} %" if args.max_after_growth_pct is not None else None,
        args.max_after_growth_pct is not None and rss_after > rss_start * (1 + args.max_after_growth_pct / 100))

    print()
    print(table(rows, ("figure", "value", "bound", "")))
    print()
    print(f"abuse {abuse_end - abuse_start:.0f} s, run {time.monotonic() - t0:.0f} s; honest: {args.honest_conns} sessions, one request "
          f"each per {args.interval * 1000:g} ms (heart, bench.echo, hello-sh.hello; offers every 10 s)")
    print("  worst honest latency during the abuse by request, ms: " + ", ".join(
        f"{k} {ms(v)}" for k, v in sorted(worst_kind.items())))
    for name in enabled:
        st = abuse_stats[name]
        if name == "pwd-burst":
            st = {"bursts": [{"secs": round(b["end"] - b["start"], 1), "answers": b["answers"]} for b in st.get("bursts", [])],
                  **({"error": st["error"]} if "error" in st else {})}
        print(f"  {name}: {json.dumps(st)}")
    if honest["lost"]:
        first_last = ", ".join(f"{t - t0:.0f} s" for t in honest["lost_sent"])
        print(f"  honest requests lost, by request: {json.dumps(honest['lost_kinds'])} (sent between {first_last} "
              f"after the start; abuse {warm:g}-{abuse_end - t0:.0f} s)")
    if honest["disconnects"]:
        print(f"  honest sessions closed by the cube: {honest['disconnects']}, with {honest['lost_on_drop']} requests "
              f"in flight (lost); last bytes: {json.dumps(honest['drops'])}")
    if honest["falses"]:
        print(f"  honest FALSE replies: {json.dumps(honest['falses'])}")
    if login_fail:
        print(f"  failed honest pwd logins: {json.dumps([r[2] for r in login_fail][:5])}")
    crashed = [name for name, st in abuse_stats.items() if st.get("crashed")]
    if crashed:
        log(f"abuser(s) crashed (a harness bug): {', '.join(crashed)}")
        return 2
    return 1 if failed else 0


def bound_text(text, bound):
    """A bound's column: `(reported)` for one that is off (--short gates on no latency)."""
    return text if bound != float("inf") else "(reported)"


def table(rows, header):
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join((str(c).rjust(w) if i == 1 else str(c).ljust(w)) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


# ---- the two "done when" measurements ----------------------------------------------------

def churn_run(args, cube, count):
    out = subprocess.run([args.p7load, "churn", cube.socket, str(args.port), str(count), "unix-nobody", args.hello, "0"],
                         capture_output=True, text=True, user="nobody", group="nogroup")
    if out.returncode:
        raise RuntimeError(f"p7load churn: {out.stderr.strip()}")
    return out.stdout.strip()


def measure_churn(args, work):
    cube = Cube(args, work)
    start_responder(args, cube, work)
    wait_online(cube, "hello-sh")
    time.sleep(1)
    first, total = args.measure_churn
    base = rss_kib(cube.pid)
    r1 = churn_run(args, cube, first)
    time.sleep(2)
    after_first = rss_kib(cube.pid)
    r2 = churn_run(args, cube, total - first)
    time.sleep(2)
    after_all = rss_kib(cube.pid)
    growth = (after_all - after_first) / after_first * 100
    ok = growth <= args.max_churn_growth_pct
    print(table([
        ("cube RSS before, KiB", f"{base:,}", "", ""),
        (f"after {first:,} cycles, KiB", f"{after_first:,}", "", ""),
        (f"after {total:,} cycles, KiB", f"{after_all:,}", f"<= +{args.max_churn_growth_pct:g} %",
         "ok" if ok else "EXCEEDED"),
        ("growth per cycle after the first, bytes", f"{(after_all - after_first) * 1024 / (total - first):,.0f}", "", ""),
    ], ("churn (1/3 unix login, 1/3 unix banner only, 1/3 c25519 unfinished over TCP)", "value", "bound", "")))
    print(f"  p7load: {r1} | {r2}")
    return 0 if ok else 1


def measure_close(args, work):
    """The unrelated client is p7load's `ping` (C, local `heart` every 1 ms, samples printed
    at the end), so the harness adds no latency of its own to the figures."""
    cube = Cube(args, work)
    start_responder(args, cube, work)
    n = args.measure_close

    def descriptors():
        return len(os.listdir(f"/proc/{cube.pid}/fd"))
    base = descriptors()
    idle = spawn([args.p7load, "idle", cube.socket, str(n), "unix-daemon"], os.path.join(work, "p7load.log"),
                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, user="daemon", group="daemon")
    if not idle.stdout.readline().startswith(b"ready"):
        raise RuntimeError(f"{n} sessions did not log in (see p7load.log)")
    time.sleep(1)
    calm_seconds = 1.0
    pinger = spawn([args.p7load, "ping", cube.socket, str(calm_seconds + args.close_watch)],
                   os.path.join(work, "p7load.log"), stdout=subprocess.PIPE)
    if not pinger.stdout.readline().startswith(b"ready"):
        raise RuntimeError("the pinger did not log in (see p7load.log)")
    time.sleep(calm_seconds)
    t_close = time.monotonic()
    idle.stdin.close()  # p7load exits: the kernel closes its sessions at once
    # a new connection's time to banner, in parallel with the heart pings
    banner = {}

    def banner_probe():
        t = time.monotonic()
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(60)
            s.connect(cube.socket)
            s.recv(32)
        banner["secs"] = time.monotonic() - t
    import threading
    probe = threading.Thread(target=banner_probe)
    time.sleep(0.05)
    probe.start()
    # the close is over when the cube holds about the descriptors it held before the crowd
    closed = None
    while closed is None and time.monotonic() < t_close + args.close_watch:
        if descriptors() <= base + 8:
            closed = time.monotonic() - t_close
        time.sleep(0.02)
    out, _ = pinger.communicate(timeout=args.close_watch + 30)
    probe.join()
    lat = [(float(t), int(us) / 1e6) for t, us in (line.split() for line in out.decode().splitlines() if line.strip())]
    calm = [x for t, x in lat if t < t_close]
    during = [x for t, x in lat if t_close <= t <= t_close + (closed or args.close_watch) + 0.05]
    worst = max(during)
    ok = worst * 1000 <= args.max_close_heart_ms
    load = os.getloadavg()
    slowest = sorted(((x, t) for t, x in lat if t >= t_close), reverse=True)[:5]
    print(table([
        ("heart worst / p99 before the close, ms", f"{max(calm) * 1000:,.2f} / {pct(calm, 0.99) * 1000:,.2f}", "", ""),
        (f"heart worst while {n:,} sessions close, ms", f"{worst * 1000:,.2f}", f"<= {args.max_close_heart_ms:g}",
         "ok" if ok else "EXCEEDED"),
        ("heart p99 / p50 meanwhile, ms", f"{pct(during, 0.99) * 1000:,.2f} / {pct(during, 0.5) * 1000:,.2f}", "", ""),
        ("hearts meanwhile", f"{len(during):,}", "", ""),
        ("the close took, ms", f"{closed * 1000:,.0f}" if closed is not None else "unfinished", "", ""),
        ("new connection's time to banner meanwhile, ms", f"{banner.get('secs', float('nan')) * 1000:,.1f}", "", ""),
        ("load average (1, 5, 15 min)", " ".join(f"{x:.1f}" for x in load), "", ""),
    ], (f"mass close ({n:,} sessions of unix-daemon), local heart of unix-root every 1 ms", "value", "bound", "")))
    print("  slowest hearts after the close began (ms at +ms): "
          + ", ".join(f"{x * 1000:.1f} at +{(t - t_close) * 1000:.0f}" for x, t in slowest))
    return 0 if ok else 1


# ---- main --------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cube", required=True, help="the cube binary (release or debug build)")
    p.add_argument("--p7load", required=True, help="Benchmarks/p7load.c, built")
    p.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 180)),
                   help="whole run, <= 600 (default: $SOAK_SECONDS or 180)")
    p.add_argument("--short", action="store_true",
                   help="the gate of make test: about 35 s, smaller abuses, latencies reported but not bounds")
    p.add_argument("--no-mount", dest="mount", action="store_false",
                   help="no FUSE mount (and so no mount-strm abuse)")
    for name in ABUSES:
        p.add_argument(f"--no-{name}", dest="off", action="append_const", const=name, default=[],
                       help=ABUSES[name][0].__doc__.split("\n")[0].replace("%", "%%"))
    p.add_argument("--only", help="comma-separated abuses to run (others off)")
    p.add_argument("--no-pwd-logins", action="store_true", help="no honest pwd logins")
    g = p.add_argument_group("sizes")
    g.add_argument("--honest-conns", type=int, default=4)
    g.add_argument("--interval", type=float, default=0.02, help="seconds between requests per honest session")
    g.add_argument("--churn-rate", type=float, default=300, help="cycles per second")
    g.add_argument("--mass-sessions", type=int, default=5000)
    g.add_argument("--multiline-sessions", type=int, default=20)
    g.add_argument("--multiline-bytes", type=int, default=15_000_000)
    g.add_argument("--offers", type=int, default=1000)
    g.add_argument("--deferred-sessions", type=int, default=20)
    g.add_argument("--deferred-per-session", type=int, default=9900)
    g.add_argument("--heart-count", type=int, default=200)
    g.add_argument("--heart-period", type=float, default=5)
    g.add_argument("--pwd-count", type=int, default=1000)
    g.add_argument("--pwd-period", type=float, default=65)
    g.add_argument("--slow-sessions", type=int, default=20)
    g.add_argument("--slow-requests", type=int, default=20000)
    g.add_argument("--strm-commands", type=int, default=5, help="mount-strm: commands written to the mount")
    g.add_argument("--strm-chunks", type=int, default=150, help="mount-strm: 1 MiB STRM chunks per reply")
    g.add_argument("--sessions-limit", type=int, default=25000, help="limits.sessions of the soak cube")
    g.add_argument("--memory-limit", help="limits.memory for the soak cube (default: the cube's own)")
    g.add_argument("--event-loops", type=int,
                   help="socket.event-loops for the soak cube (default: the cube's own, one per core; 1: a single loop)")
    g.add_argument("--warmup", type=float, default=10)
    g.add_argument("--after", type=float, default=20, help="seconds of honest traffic after the abusers left")
    g.add_argument("--drain", type=float, default=10, help="seconds to wait for the last honest replies")
    g.add_argument("--leave-grace", type=float, default=10,
                   help="seconds the abusers get to end once the abuse is over; then they are killed")
    b = p.add_argument_group("bounds (exit 1 when exceeded)")
    b.add_argument("--max-lost", type=int, default=0)
    b.add_argument("--max-false", type=int, default=0)
    b.add_argument("--max-p99-ms", type=float, default=20)
    b.add_argument("--max-pwd-login-s", type=float, default=1.0)
    b.add_argument("--max-rss-mib", type=float, help="peak RSS bound when the cube has no limits.memory")
    b.add_argument("--max-after-growth-pct", type=float, help="RSS after the abusers left vs start (off)")
    m = p.add_argument_group("done-when measurements (instead of the soak)")
    m.add_argument("--measure-churn", metavar="FIRST,TOTAL",
                   type=lambda s: tuple(int(x) for x in s.split(",")), help="e.g. 1000,50000")
    m.add_argument("--max-churn-growth-pct", type=float, default=5)
    m.add_argument("--measure-close", type=int, metavar="N", help="e.g. 10000")
    m.add_argument("--close-watch", type=float, default=8, help="seconds of heart pings after the close")
    m.add_argument("--max-close-heart-ms", type=float, default=20)
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = p.parse_args()
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - set(ABUSES)
        if unknown:
            p.error(f"unknown abuse(s): {', '.join(sorted(unknown))}")
        args.off = [n for n in ABUSES if n not in wanted]
    if args.short:
        # The gate of `make test` (docs/soak.md "In make test"): a debug build on a busy
        # machine, so it gates on what must hold at any speed (nothing lost or refused, memory
        # within limits.memory) and only reports latencies. 3 s warm-up, 20 s of abuse, 5 s
        # for the abusers to leave, 5 s honest only: 33 s, then the drain, which ends as soon
        # as every honest request is answered (a late reply is late, not lost).
        args.seconds, args.warmup, args.leave_grace, args.after, args.drain = 33, 3, 5, 5, 20
        # Every abuse, each a fraction of the full soak's: enough to pass through each bound's
        # code (a burst past the login throttle, bodies and streams larger than one read, a
        # table larger than the output queue can take at once), small enough that a debug
        # cube sharing two cores with builds is not simply behind for the whole run.
        args.churn_rate, args.mass_sessions, args.multiline_sessions, args.multiline_bytes = 30, 1000, 3, 3_000_000
        args.offers, args.deferred_sessions, args.deferred_per_session = 100, 4, 1000
        args.heart_count, args.pwd_count, args.slow_sessions, args.slow_requests = 50, 100, 3, 500
        args.strm_chunks = 10
        args.max_p99_ms = args.max_pwd_login_s = float("inf")
    if not 30 <= args.seconds <= 600:
        p.error("--seconds must be 30...600")
    if os.geteuid() != 0:
        p.error("needs root: the abusers run as other unix users (nobody, daemon, bin)")
    args.cube, args.p7load = os.path.abspath(args.cube), os.path.abspath(args.p7load)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the cube and the clients

    work = tempfile.mkdtemp(prefix="p7soak-")
    os.chmod(work, 0o755)  # the abusers (other uids) reach the socket in it
    os.mkdir(os.path.join(work, "stats"), 0o777)
    os.chmod(os.path.join(work, "stats"), 0o777)  # and write their results there
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    status = 2
    t0 = time.monotonic()
    mount = None
    try:
        write_config(args, work)
        if args.mount:
            mount = os.path.join(work, "net")
        if args.measure_churn:
            status = measure_churn(args, work)
        elif args.measure_close:
            status = measure_close(args, work)
        else:
            status = soak(args, work)
    except (RuntimeError, subprocess.CalledProcessError, OSError, ConnectionError) as error:
        log(f"FAILED: {error}")
        for name in ("cube.log", "responder.log", "p7load.log"):
            path = os.path.join(work, name)
            if os.path.exists(path) and os.path.getsize(path):
                log(f"--- {name} (last lines)\n" + "".join(open(path, errors="replace").readlines()[-15:]))
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        stop_all(mount)
        if args.keep or status:
            log(f"logs kept in {work}")
        elif not (mount and mounted(mount)):
            shutil.rmtree(work, ignore_errors=True)
    log(f"done in {time.monotonic() - t0:.0f} s, exit {status}")
    sys.exit(status)


if __name__ == "__main__":
    main()
