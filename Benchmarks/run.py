#!/usr/bin/env python3
"""make bench / make bench-check: runs the cube against its references and prints one table.

Everything runs on this machine: a cube (release build) on a temporary unix socket with its own
configuration (no sample zenki), a responder zenka, nats-server on a free loopback port, and the
load generators of Benchmarks/p7load.c. Every figure is measured in the same run as its
reference, in interleaved rounds (median of the rounds), because the machines are shared and noisy.
Everything started here is stopped at the end, and the temporary mount is gone.

    python3 Benchmarks/run.py --cube .build/release/cube --p7load .build/bench/p7load
    python3 Benchmarks/run.py ... --check docs/performance.md     (short regression check)
    python3 Benchmarks/run.py ... --only uneven                    (one scenario: uneven workers)
    python3 Benchmarks/run.py ... --only burst --burst-rounds 3    (a load step onto three nodes)
    python3 Benchmarks/run.py ... --only filesystem --rounds 3      (the mount's round trip alone)
    python3 Benchmarks/run.py ... --only idle --rounds 3            (idle-session memory alone;
        quiet sessions park 0.1 s after their login by default; --park-after 0 for the figure
        without parking)
"""
import argparse
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

CONFIG = """\
node.name = bench
auth.methods = zenka unix
auth.unix.implicit = yes
auth.zenka.any-name = yes
access.cmd.usr.unix-root = **
access.cmd.usr.bench = **
access.cmd.usr.* = heart whoami
limits.sessions = 12000
limits.routes-per-session = 10000
timeouts.route = 120
"""

# The three nodes of the cross-node figures: links are c25519 sessions (docs/network.md).
NETWORK_CONFIG = CONFIG.replace("auth.methods = zenka unix", "auth.methods = c25519 zenka unix")

# Uneven workers (docs/pooling.md): `bench` is a balanced zenka whose instances the workers are.
POOL_CONFIG = CONFIG + """\
zenka.bench.program = /bin/true
zenka.bench.start = manual
zenka.bench.dispatch = balanced
"""
# Four workers, one of them ten times slower; requests in flight.
WORKER_USECS = (1000, 1000, 1000, 10000)
UNEVEN_DEPTH = 16

TICK = os.sysconf("SC_CLK_TCK")
started = []  # every Popen we started, stopped in stop_all()
mounts = []   # mount points we asked for
verbose = False


def log(message):
    print(message, file=sys.stderr, flush=True)


def debug(message):
    if verbose:
        log(message)


# ---- processes -----------------------------------------------------------------------------

def spawn(argv, log_path=None, stdin=None, stdout=subprocess.DEVNULL):
    err = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=err)
    started.append(proc)
    return proc


def stop(proc, timeout=10):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def mounted(path):
    path = os.path.realpath(path)
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == path for line in f)


def stop_all():
    for proc in reversed(started):
        stop(proc)
    for path in mounts:
        if mounted(path):
            log(f"bench: {path} still mounted after the cube stopped; unmounting")
            for cmd in (["fusermount3", "-u", path], ["umount", "-l", path]):
                if subprocess.run(cmd, stderr=subprocess.DEVNULL).returncode == 0:
                    break


def cpu_of(pid):
    """User+system CPU seconds of a running process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def open_files_limit(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return 0


def parse_kv(line):
    return {k: float(v) for k, v in (item.split("=") for item in line.split() if "=" in item)}


# ---- the cube ------------------------------------------------------------------------------

class Cube:
    """`cube run` on a temporary socket; start-up times measured from the spawn."""

    def __init__(self, args, work, mount=None, name="cube", extra=(), config="cube.conf"):
        self.socket = os.path.join(work, f"{name}.sock")
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        argv = [args.cube, "run", "--config", os.path.join(work, config), "--socket", self.socket,
                "--log-level", "error", *extra]
        argv += ["--mount", mount] if mount else ["--no-mount"]
        self.mount = mount
        if mount:
            mounts.append(mount)
        t0 = time.monotonic()
        self.proc = spawn(argv, os.path.join(work, f"{name}.log"))
        self.to_socket = self._wait(self._answers, t0)
        self.to_mount = self._wait(lambda: mounted(mount) and os.path.isdir(os.path.join(mount, "zenki")), t0) if mount else None

    def _answers(self):
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(1)
                s.connect(self.socket)
                return len(s.recv(32)) == 32
        except OSError:
            return False

    def _wait(self, ready, t0, timeout=20):
        while not ready():
            if self.proc.poll() is not None:
                raise RuntimeError("cube exited during start-up (see its log)")
            if time.monotonic() - t0 > timeout:
                raise RuntimeError("cube did not become ready")
            time.sleep(0.0005)
        return time.monotonic() - t0

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        stop(self.proc)
        if self.mount and mounted(self.mount):
            raise RuntimeError(f"{self.mount} is still mounted after the cube stopped")


def start_responder(args, cube, work):
    proc = spawn([args.p7load, "cube-responder", cube.socket, "bench"], os.path.join(work, "responder.log"),
                 stdout=subprocess.PIPE)
    if proc.stdout.readline().strip() != b"ready":
        raise RuntimeError("responder did not log in (see responder.log)")
    return proc


_HANDED_OUT = set()


def free_port():
    """A loopback port nobody listens on, below the kernel's ephemeral range: a port from
    bind(0) is an ephemeral one, which any outgoing connection may take as its local port
    before the server binds it (seen: a burst cube exiting with EADDRINUSE)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for _ in range(500 if low > 11000 else 0):
        port = random.randrange(10000, low)
        if port in _HANDED_OUT:
            continue
        _HANDED_OUT.add(port)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nats(work, extra=(), name="nats"):
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    port = free_port()
    proc = spawn([binary, "-a", "127.0.0.1", "-p", str(port), *extra], os.path.join(work, f"{name}.log"))
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("nats-server did not start (see nats.log)")
            time.sleep(0.01)


def start_nats_responder(args, port, work):
    proc = spawn([args.p7load, "nats-responder", str(port)], os.path.join(work, "nats-responder.log"),
                 stdout=subprocess.PIPE)
    if proc.stdout.readline().strip() != b"ready":
        raise RuntimeError("nats responder did not subscribe")
    return proc


def wait_until(ready, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not happen within {timeout} s")
        time.sleep(0.1)


def cube_answers(sock, path):
    """One request over a fresh unix-root session: whether `path` answers `TRUE x`."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(sock)
            s.recv(32)
            s.sendall(f"select unix\nauth unix-root\n(7){path} x\n".encode())
            data = b""
            while b"(7)" not in data or not data.endswith(b"\n"):
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            return b"(7)TRUE x\n" in data
    except OSError:
        return False


def nats_answers(port):
    """One request through nats-server on `port`: whether the responder (maybe on another server) answers."""
    try:
        with socket.create_connection(("127.0.0.1", port), 2) as s:
            s.settimeout(0.5)
            s.sendall(b"CONNECT {\"verbose\":false}\r\nSUB _INBOX.ready 1\r\nPUB bench.echo _INBOX.ready 1\r\nx\r\nPING\r\n")
            data = b""
            deadline = time.monotonic() + 0.5
            while b"MSG _INBOX.ready" not in data and time.monotonic() < deadline:
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    break
                if not chunk:
                    break
                data += chunk
            return b"MSG _INBOX.ready" in data
    except OSError:
        return False


def measure(argv, servers, work):
    """Runs one load generator; returns its figures plus the CPU seconds each server used meanwhile."""
    procs = {name: p if isinstance(p, list) else [p] for name, p in servers.items()}
    before = {name: sum(cpu_of(q.pid) for q in ps) for name, ps in procs.items()}
    t0 = time.monotonic()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=open(os.path.join(work, "p7load.log"), "ab"),
                         check=True).stdout.decode()
    result = {}
    for line in out.strip().splitlines():
        result.update(parse_kv(line))
    result["wall"] = time.monotonic() - t0
    for name, ps in procs.items():
        result["cpu_" + name] = sum(cpu_of(q.pid) for q in ps) - before[name]
    if "cpu_responder_self" in result:
        result["cpu_responder"] = result["cpu_responder_self"]
    debug(f"  {' '.join(os.path.basename(a) for a in argv[1:])}: {result}")
    return result


# ---- the run -------------------------------------------------------------------------------

def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def startup(args, work, reps):
    socket_times, mount_times = [], []
    for _ in range(reps):
        cube = Cube(args, work)
        socket_times.append(cube.to_socket)
        cube.stop()
    mount_dir = os.path.join(work, "net")
    os.makedirs(mount_dir, exist_ok=True)
    for i in range(reps):
        cube = Cube(args, work, mount=mount_dir)
        mount_times.append(cube.to_mount)
        if i < reps - 1:
            cube.stop()
    return statistics.median(socket_times), statistics.median(mount_times), cube


def filesystem(args, work, cube, count, secs, rounds):
    """FS round trip and socket round trip on the same (mounted) cube, `rounds` interleaved
    rounds: the medians of each, their median p99, and each round's ratio (for the spread).
    Five rounds, not two: a median of two was the mean of two, and one round that met a busy
    moment moved the figure by a quarter (docs/performance.md, twelfth session)."""
    responder = start_responder(args, cube, work)
    servers = {"cube": cube.proc}
    fs_runs, sock_runs = [], []
    for _ in range(rounds):
        fs_runs.append(measure([args.p7load, "fs", cube.mount, str(count)], servers, work))
        sock_runs.append(measure([args.p7load, "cube-request", cube.socket, "1", "0.3", str(secs)], servers, work))
    stop(responder)
    ratios = [f["p50_us"] / s["p50_us"] for f, s in zip(fs_runs, sock_runs)]
    return median_of(fs_runs, "p50_us"), median_of(sock_runs, "p50_us"), median_of(fs_runs, "p99_us"), ratios


def filesystem_only(args, work):
    """`--only filesystem`: the filesystem and socket round trips on one mounted cube, one line
    per round with the cube's CPU per filesystem round trip (which a busy machine moves less
    than latency) and the load average beside it (other builds on a shared machine move the figures)."""
    mount_dir = os.path.join(work, "net")
    os.makedirs(mount_dir, exist_ok=True)
    cube = Cube(args, work, mount=mount_dir)
    responder = start_responder(args, cube, work)
    servers = {"cube": cube.proc}
    ratios, cpus, socket_cpus = [], [], []
    # p7load's fs mode warms up with count / 10 + 10 round trips before it starts timing.
    sent = args.fs_count + args.fs_count // 10 + 10
    for number in range(1, args.rounds + 1):
        fs_run = measure([args.p7load, "fs", cube.mount, str(args.fs_count)], servers, work)
        sock_run = measure([args.p7load, "cube-request", cube.socket, "1", "0.3", "2"], servers, work)
        ratios.append(fs_run["p50_us"] / sock_run["p50_us"])
        cpus.append(fs_run["cpu_cube"] / sent * 1e6)
        # The same figure for the socket round trips (warm-up included, like the reading).
        socket_cpus.append(sock_run["cpu_cube"] / sock_run["ops_all"] * 1e6)
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"round {number}: filesystem cmd->out p50 {fs_run['p50_us']:.1f} us (p99 {fs_run['p99_us']:.1f} us), "
              f"socket p50 {sock_run['p50_us']:.1f} us, ratio {ratios[-1]:.2f}x, "
              f"cube CPU {cpus[-1]:.1f} us per filesystem round trip ({socket_cpus[-1]:.1f} per socket one), "
              f"load {load}", flush=True)
    stop(responder)
    cube.stop()
    print(f"median ratio {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f}; "
          f"goal <= 1.5x, issue 18), median cube CPU {statistics.median(cpus):.1f} us per filesystem round trip "
          f"against {statistics.median(socket_cpus):.1f} per socket round trip, {args.rounds} rounds")
    return 0


def throughput(args, work, cube, port, rounds, secs):
    runs = {}
    plan = []
    for depth in ("1", "64"):
        plan += [("cube", depth, [args.p7load, "cube-request", cube.socket, depth, "0.5", str(secs)]),
                 ("nats", depth, [args.p7load, "nats-request", str(port), depth, "0.5", str(secs)]),
                 ("raw", depth, [args.p7load, "raw-request", depth, "0.5", str(secs)])]
    for _ in range(rounds):
        for name, depth, argv in plan:
            result = measure(argv, args.servers[name], work)
            if "cpu_server" in result and result.get("ops_all"):
                # The server's user+system time over every request of the run (warm-up included,
                # like the CPU reading): the figure a busy machine barely moves, unlike the rate.
                result["cpu_us_per_request"] = 1e6 * result["cpu_server"] / result["ops_all"]
            runs.setdefault((name, depth), []).append(result)
    return runs


def spread(runs, key):
    values = sorted(r[key] for r in runs)
    return values[0], statistics.median(values), values[-1]


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


SPREAD_FIGURES = (
    ("1", "rate", "sequential, round trips/s", "throughput (noisy)", 0),
    ("1", "cpu_us_per_request", "sequential, server CPU us/request", "CPU/request (steadier)", 2),
    ("64", "rate", "pipelined 64, requests/s", "throughput (noisy)", 0),
    ("64", "cpu_us_per_request", "pipelined 64, server CPU us/request", "CPU/request (steadier)", 2),
)


def print_spread(runs, rounds):
    """Min / median / max of every routed figure over the rounds, cube and nats-server side by side."""
    print(f"Spread over {rounds} interleaved rounds, min / median / max (throughput moves with the machine's load; "
          "CPU time per request, user+system of the server process from /proc/<pid>/stat over the requests it "
          "routed, moves less):")
    cells = []
    for depth, key, label, kind, digits in SPREAD_FIGURES:
        row = (label, kind)
        for name in ("cube", "nats"):
            low, mid, high = spread(runs[(name, depth)], key)
            row += (" / ".join(fmt(v, digits) for v in (low, mid, high)), f"{high / low if low else 0:.1f}x")
        cells.append(row)
    header = ("figure", "kind", "cube", "max/min", "nats-server", "max/min")
    widths = [max(len(c[i]) for c in cells + [header]) for i in range(len(header))]
    for row in [header] + cells:
        print("  " + "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))


def scale(args, work, cube, requests):
    result = {"nofile": open_files_limit(cube.pid)}
    # memory before and after `requests` routed requests (the throughput runs were the warm-up)
    result["rss_before"] = rss_kib(cube.pid)
    grow = measure([args.p7load, "cube-request", cube.socket, "64", "0", "3600", str(requests)], {"cube": cube.proc}, work)
    time.sleep(0.5)
    result["rss_after"] = rss_kib(cube.pid)
    result["grow_rate"] = grow["rate"]
    return result


def idle_memory(args, work, idle_sessions):
    """`idle_sessions` logged-in sessions on a fresh cube (with its responder): its VmRSS before,
    0.5 s after the last login (`idle_rss_awake`), and `--idle-wait` seconds later (`idle_rss`),
    for instance once idle sessions have parked (`--park-after`; docs/performance.md "Idle memory")."""
    result = {}
    cube = Cube(args, work)
    responder = start_responder(args, cube, work)
    time.sleep(0.2)
    base = rss_kib(cube.pid)
    idle = spawn([args.p7load, "idle", cube.socket, str(idle_sessions)], os.path.join(work, "p7load.log"),
                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    line = idle.stdout.readline().decode()
    if not line.startswith("ready"):
        raise RuntimeError(f"{idle_sessions} idle sessions did not log in (see p7load.log)")
    time.sleep(0.5)
    result["idle_rss_awake"] = rss_kib(cube.pid)
    time.sleep(args.idle_wait)
    result["idle_rss"] = rss_kib(cube.pid)
    result["idle_base"] = base
    result["idle_per_session_awake"] = (result["idle_rss_awake"] - base) / idle_sessions
    result["idle_per_session"] = (result["idle_rss"] - base) / idle_sessions
    result["logins_per_sec"] = parse_kv(line)["logins_per_sec"]
    idle.stdin.close()
    idle.wait()
    stop(responder)
    cube.stop()
    return result


def idle_only(args, work):
    """`--only idle`: the idle-session memory, --rounds times, each on a fresh cube."""
    runs = []
    for round_number in range(args.rounds):
        r = idle_memory(args, work, args.idle)
        runs.append(r)
        log(f"bench: idle round {round_number + 1}: {r['idle_per_session']:.2f} KiB/session after {args.idle_wait + 0.5:g} s "
            f"({r['idle_per_session_awake']:.2f} at 0.5 s), base {r['idle_base']} KiB, "
            f"{r['logins_per_sec']:.0f} logins/s, load {load_average()}")
    for key, label in (("idle_per_session", f"after {args.idle_wait + 0.5:g} s"), ("idle_per_session_awake", "at 0.5 s")):
        low, mid, high = spread(runs, key)
        print(f"idle sessions ({args.idle:,}), KiB per session {label}: min {low:.2f} / median {mid:.2f} / max {high:.2f}"
              f"  (goal <= 2 KiB: {'met' if mid <= 2 else 'NOT MET'})")
    print(f"load average before {args.load_before}, after {load_average()}")
    return 0


def sessions_scale(args, work, result, idle_sessions, active_clients, active_secs):
    """Each on a fresh cube (with its responder), so that neither inherits the other's heap."""
    result.update(idle_memory(args, work, idle_sessions))
    # many clients active at once: peak RSS while they run
    cube = Cube(args, work)
    responder = start_responder(args, cube, work)
    time.sleep(0.2)
    result["active_base"] = rss_kib(cube.pid)
    proc = spawn([args.p7load, "active", cube.socket, str(active_clients), str(active_secs)],
                 os.path.join(work, "p7load.log"), stdout=subprocess.PIPE)
    if proc.stdout.readline().strip() != b"active":
        raise RuntimeError("active clients did not log in (see p7load.log)")
    peak = 0
    while proc.poll() is None:
        peak = max(peak, rss_kib(cube.pid))
        time.sleep(0.05)
    result["active_rss"] = peak
    result["active_rate"] = parse_kv(proc.stdout.read().decode().strip().splitlines()[-1])["rate"]
    stop(responder)
    cube.stop()
    return result


def fmt(value, digits=0):
    return f"{value:,.{digits}f}"


def table(rows):
    header = ("figure", "cube", "reference", "ref. value", "ratio", "goal", "")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join
    out = [line(str(h).ljust(w) for h, w in zip(header, widths)), line("-" * w for w in widths)]
    for r in rows:
        out.append(line((str(c).rjust(w) if 0 < i < 5 else str(c).ljust(w)) for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(out)


def ratio_row(name, cube, ref_name, ref, goal=None, higher_better=True, digits=0):
    ratio = cube / ref if ref else float("inf")
    met = ""
    if goal is not None:
        met = "met" if (ratio >= goal if higher_better else ratio <= goal) else "NOT MET"
    goal_text = "" if goal is None else (f">= {goal}x" if higher_better else f"<= {goal}x")
    return (name, fmt(cube, digits), ref_name, fmt(ref, digits), f"{ratio:.2f}x", goal_text, met)


def uneven(args, work, rounds, secs):
    """Four workers, one ten times slower: balanced dispatch against a NATS queue group, the same
    worker design on both sides, interleaved rounds. Returns the medians and the machine load."""
    with open(os.path.join(work, "pool.conf"), "w") as f:
        f.write(POOL_CONFIG)
    cube = Cube(args, work, config="pool.conf")
    nats, port = start_nats(work)
    workers = []
    for usecs in WORKER_USECS:
        for argv in ([args.p7load, "cube-worker", cube.socket, "bench", str(usecs)],
                     [args.p7load, "nats-worker", str(port), str(usecs)]):
            proc = spawn(argv, os.path.join(work, "workers.log"), stdout=subprocess.PIPE)
            if proc.stdout.readline().strip() != b"ready":
                raise RuntimeError("a worker did not log in or subscribe (see workers.log)")
            workers.append(proc)
    depth = str(UNEVEN_DEPTH)
    plan = [("balanced", [args.p7load, "cube-request", cube.socket, depth, "0.5", str(secs)], {"server": cube.proc}),
            ("nats", [args.p7load, "nats-request", str(port), depth, "0.5", str(secs)], {"server": nats})]
    runs = {}
    load = []
    for _ in range(rounds):
        for name, argv, servers in plan:
            runs.setdefault(name, []).append(measure(argv, servers, work))
            load.append(os.getloadavg()[0])
    for proc in workers:
        stop(proc)
    stop(nats)
    cube.stop()
    return {k: {f: median_of(v, f) for f in v[0]} for k, v in runs.items()}, max(load)


def uneven_rows(m):
    b, n = m["balanced"], m["nats"]
    return [
        ratio_row("uneven workers: p99 latency, us", b["p99_us"], "NATS queue group", n["p99_us"], 0.5, False, 1),
        ratio_row("  median latency, us", b["p50_us"], "NATS queue group", n["p50_us"], None, False, 1),
        ratio_row("  throughput, requests/s", b["rate"], "NATS queue group", n["rate"], 1.0),
    ]


def uneven_only(args, work):
    log(f"bench: uneven workers ({len(WORKER_USECS)} workers, service times {WORKER_USECS} us, "
        f"{UNEVEN_DEPTH} in flight; balanced vs NATS queue group)")
    m, load = uneven(args, work, args.rounds, args.seconds)
    print()
    print(table(uneven_rows(m)))
    print(f"medians of {args.rounds} interleaved rounds of {args.seconds:g} s; highest 1-min load average "
          f"{load:.2f} on {os.cpu_count()} cores")


def node_keys(cube, work, names):
    """A fresh identity key `<work>/<name>.key` per node and the trusted-nodes file listing them; returns its path."""
    nodes_file = os.path.join(work, "nodes")
    with open(nodes_file, "w") as f:
        for name in names:
            key = os.path.join(work, f"{name}.key")
            if os.path.exists(key):
                os.unlink(key)
            out = subprocess.run([cube, "keygen", "--out", key], stdout=subprocess.PIPE, check=True).stdout.decode()
            f.write(f"{name} {out.split()[-1]}\n")
    return nodes_file


def start_nodes(args, work, configs, ring=False, mount=False):
    """Cubes n1, n2, ... (one per entry of `configs`, a configuration file name in `work`) with
    fresh identity keys, linked in a chain n1 - n2 - n3 (a ring with `ring`: the last links to n1)."""
    names = [f"n{i + 1}" for i in range(len(configs))]
    nodes_file = node_keys(args.cube, work, names)
    ports = {name: free_port() for name in names}
    cubes = {}
    for i, (name, config) in enumerate(zip(names, configs)):
        extra = ["--name", name, "--identity", os.path.join(work, f"{name}.key"), "--nodes", nodes_file,
                 "--listen", f"tcp:127.0.0.1:{ports[name]}"]
        if i + 1 < len(names) or (ring and len(names) > 2):
            extra += ["--peer", f"tcp:127.0.0.1:{ports[names[(i + 1) % len(names)]]}"]
        mount_dir = None
        if mount:
            mount_dir = os.path.join(work, f"{name}.mnt")
            os.makedirs(mount_dir, exist_ok=True)
        cubes[name] = Cube(args, work, name=name, extra=extra, config=config, mount=mount_dir)
    return cubes


def cross_node(args, work):
    """Request-reply two hops apart over encrypted links next to a two-server nats cluster."""
    with open(os.path.join(work, "net.conf"), "w") as f:
        f.write(NETWORK_CONFIG)
    # a chain n1 - n2 - n3: n1 reaches n3 only through n2
    cubes = start_nodes(args, work, ["net.conf"] * 3)
    responder = start_responder(args, cubes["n3"], work)
    wait_until(lambda: cube_answers(cubes["n1"].socket, "n3.bench.echo"), "n1 reaching n3.bench through n2")
    wait_until(lambda: cube_answers(cubes["n2"].socket, "n3.bench.echo"), "n2 reaching n3.bench")
    ca, cb = free_port(), free_port()
    nats_a, port_a = start_nats(work, ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{ca}",
                                       "--routes", f"nats://127.0.0.1:{cb}"], "nats-a")
    nats_b, port_b = start_nats(work, ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{cb}",
                                       "--routes", f"nats://127.0.0.1:{ca}"], "nats-b")
    nats_responder = start_nats_responder(args, port_b, work)
    wait_until(lambda: nats_answers(port_a), "nats-server A reaching the responder on B")
    # Two hops for nats too: X and Z are leaf nodes of the hub Y, so X reaches Z only through
    # Y, as n1 reaches n3 only through n2 (the like-for-like reference; not the goal's).
    leaf_port = free_port()
    hub_conf, leaf_conf = os.path.join(work, "nats-hub.conf"), os.path.join(work, "nats-leaf.conf")
    with open(hub_conf, "w") as f:
        f.write(f"leafnodes {{\n  listen: 127.0.0.1:{leaf_port}\n}}\n")
    with open(leaf_conf, "w") as f:
        f.write(f'leafnodes {{\n  remotes: [ {{ url: "nats-leaf://127.0.0.1:{leaf_port}" }} ]\n}}\n')
    nats_y, _ = start_nats(work, ["-c", hub_conf], "nats-y")
    nats_x, port_x = start_nats(work, ["-c", leaf_conf], "nats-x")
    nats_z, port_z = start_nats(work, ["-c", leaf_conf], "nats-z")
    leaf_responder = start_nats_responder(args, port_z, work)
    wait_until(lambda: nats_answers(port_x), "nats-server X reaching the responder on Z through Y")
    cube_servers = {"server": [c.proc for c in cubes.values()], "responder": responder}
    nats_servers = {"server": [nats_a, nats_b], "responder": nats_responder}
    leaf_servers = {"server": [nats_x, nats_y, nats_z], "responder": leaf_responder}
    secs = str(args.seconds)
    plan = []
    for depth in ("1", "64"):
        plan += [("cube", depth, [args.p7load, "cube-request", cubes["n1"].socket, depth, "0.5", secs, "0",
                                  "n3.bench.echo"], cube_servers),
                 ("nats", depth, [args.p7load, "nats-request", str(port_a), depth, "0.5", secs], nats_servers),
                 ("nats-leaf", depth, [args.p7load, "nats-request", str(port_x), depth, "0.5", secs], leaf_servers)]
    # Like for like with the nats route: requester on n2, one link away from the responder.
    for depth in ("1", "64"):
        plan += [("cube-1hop", depth, [args.p7load, "cube-request", cubes["n2"].socket, depth, "0.5", secs, "0",
                                       "n3.bench.echo"], cube_servers)]
    # The floors: the same bytes through as many processes that do nothing but pass them on,
    # three for the cube's path (n1, n2, n3), two for the cluster's (A, B), all on loopback TCP.
    for depth in ("1", "64"):
        plan += [(f"floor-{relays}", depth, [args.p7load, "raw-chain", str(relays), "0", depth, "0.5", secs], {})
                 for relays in (3, 2)]
    # The same responders asked from their own server: what the hops add.
    plan += [("cube-local", "1", [args.p7load, "cube-request", cubes["n3"].socket, "1", "0.5", secs], cube_servers),
             ("nats-local", "1", [args.p7load, "nats-request", str(port_b), "1", "0.5", secs], nats_servers)]
    runs = {}
    for _ in range(args.cross_rounds):
        for name, depth, argv, servers in plan:
            result = measure(argv, servers, work)
            # a floor's "servers" are the relays and the responder it forked (cpu_chain_self)
            cpu = result.get("cpu_server", result.get("cpu_chain_self", 0))
            result["cpu_us_per_request"] = 1e6 * cpu / max(result.get("ops_all", 0), 1)
            runs.setdefault((name, depth), []).append(result)
    for proc in (leaf_responder, nats_z, nats_x, nats_y, nats_responder, nats_b, nats_a, responder):
        stop(proc)
    for cube in reversed(list(cubes.values())):
        cube.stop()
    return runs


def print_cross_node(runs, rounds):
    m = {k: {f: median_of(v, f) for f in v[0]} for k, v in runs.items()}
    c1, n1, c64, n64 = m[("cube", "1")], m[("nats", "1")], m[("cube", "64")], m[("nats", "64")]
    cl, nl = m[("cube-local", "1")], m[("nats-local", "1")]
    h1, h64 = m[("cube-1hop", "1")], m[("cube-1hop", "64")]
    l1, l64 = m[("nats-leaf", "1")], m[("nats-leaf", "64")]
    f3_1, f3_64, f2_1, f2_64 = m[("floor-3", "1")], m[("floor-3", "64")], m[("floor-2", "1")], m[("floor-2", "64")]
    cube_hop = (c1["p50_us"] - cl["p50_us"]) / 2
    nats_hop = n1["p50_us"] - nl["p50_us"]
    rows = [
        ratio_row("two hops sequential, round trips/s", c1["rate"], "nats cluster", n1["rate"], 1.5),
        ratio_row("  median latency, us", c1["p50_us"], "nats cluster", n1["p50_us"], None, False, 1),
        ratio_row("two hops pipelined 64, requests/s", c64["rate"], "nats cluster", n64["rate"], 1.5),
        ratio_row("sequential: CPU us/request, all servers", c1["cpu_us_per_request"], "nats cluster",
                  n1["cpu_us_per_request"], None, False, 2),
        ratio_row("pipelined 64: CPU us/request, all servers", c64["cpu_us_per_request"], "nats cluster",
                  n64["cpu_us_per_request"], None, False, 2),
        ratio_row("added median latency per hop, us", cube_hop, "nats route hop", nats_hop, None, False, 1),
        ratio_row("  same responder from its own server, us", cl["p50_us"], "nats, same server", nl["p50_us"],
                  None, False, 1),
        ratio_row("one hop (n2 to n3) sequential, rt/s", h1["rate"], "nats cluster", n1["rate"]),
        ratio_row("one hop (n2 to n3) pipelined 64, req/s", h64["rate"], "nats cluster", n64["rate"]),
        ratio_row("one hop pipelined 64: CPU us/request", h64["cpu_us_per_request"], "nats cluster",
                  n64["cpu_us_per_request"], None, False, 2),
        ratio_row("floor, 3 relays (the cube's path) seq, rt/s", f3_1["rate"], "nats cluster", n1["rate"]),
        ratio_row("floor, 3 relays pipelined 64, req/s", f3_64["rate"], "nats cluster", n64["rate"]),
        ratio_row("two hops seq, % of its 3-relay floor", 100 * c1["rate"] / f3_1["rate"],
                  "cluster, % of 2-relay floor", 100 * n1["rate"] / f2_1["rate"], None, True, 1),
        ratio_row("two hops pipelined, % of its floor", 100 * c64["rate"] / f3_64["rate"],
                  "cluster, % of 2-relay floor", 100 * n64["rate"] / f2_64["rate"], None, True, 1),
        ratio_row("two hops sequential, rt/s", c1["rate"], "nats leaf chain", l1["rate"]),
        ratio_row("two hops pipelined 64, req/s", c64["rate"], "nats leaf chain", l64["rate"]),
        ratio_row("two hops pipelined 64: CPU us/request", c64["cpu_us_per_request"], "nats leaf chain",
                  l64["cpu_us_per_request"], None, False, 2),
    ]
    print()
    print("Across nodes: requester on n1, responder on n3, two c25519 links n1-n2-n3 (all on loopback);")
    print("nats: requester on server A, responder on server B of a two-server cluster (one route).")
    print("One hop: the requester on n2, one link from the responder: the same number of servers and hops as nats.")
    print("Leaf chain: nats-servers X and Z leaf nodes of hub Y, requester on X, responder on Z: two hops like n1-n3.")
    print("Floor: the same bytes through 3 (or 2) processes that only pass them on over loopback TCP (p7load")
    print("raw-chain): no implementation of either path can beat its floor on this machine.")
    print(table(rows))
    print(f"Medians of {rounds} interleaved rounds; spread (min / median / max):")
    for key, label, digits in (("rate", "round trips or requests/s", 0), ("cpu_us_per_request", "CPU us/request", 2)):
        for depth in ("1", "64"):
            cells = [" / ".join(fmt(v, digits) for v in spread(runs[(name, depth)], key)) for name in ("cube", "nats")]
            print(f"  depth {depth:>2} {label:26} cube {cells[0]:>28}   nats {cells[1]:>28}")
    for depth in ("1", "64"):
        cells = [" / ".join(fmt(v) for v in spread(runs[(name, depth)], "rate")) for name in ("floor-3", "floor-2")]
        print(f"  depth {depth:>2} floor, round trips or req/s 3 relays {cells[0]:>24}   2 relays {cells[1]:>24}")


# ---- burst (issue 15, docs/pooling.md "Benchmarks") ----------------------------------------
#
# Three cubes on loopback, each pair linked. The zenka `bench` is the cube-worker started by each
# node's manager (p7load zenka-worker): one request at a time, BURST_SERVICE_USECS each, so one
# instance answers 1e6 / BURST_SERVICE_USECS requests a second whatever the CPU does. Node A (n1)
# runs BURST_A_MAX instances; B and C (n2, n3) run none of their own and are configured to run
# `bench` for others. An open-loop load at A steps from 1x to 10x of one instance's capacity.

BURST_SERVICE_USECS = 10000
BURST_A_MAX = 2
BURST_SLOTS = 5            # instances B and C run for others at most (node.compute.slots)
BURST_OTHER_OWN = 1        # instances.max of B's and C's own bench (instances.min = 0)
BURST_RELEASE_WATCH = 60   # seconds after the step that the harness waits for B and C to run nothing
BURST_DOWN_AFTER = 5       # scale.down-after on every node
BURST_BASE_SECS = 5        # the 1x phase; its last 3 s give the unloaded p99
BURST_STEP_SECS = 10       # the 10x phase
BURST_ROUTE_TIMEOUT = 30   # timeouts.route: a request that waits longer is answered FALSE (lost)
BURST_WINDOW = 0.5         # p99 windows, by send time

# The manager (v7) makes the compute offer and starts instances for leases: it may run everything.
BURST_NODE_CONFIG = (NETWORK_CONFIG.replace("timeouts.route = 120", f"timeouts.route = {BURST_ROUTE_TIMEOUT}")
                     + "access.cmd.usr.v7 = **\n")


def burst_zenka(args, minimum, maximum):
    keys = (("program", args.p7load), ("args", f"zenka-worker {BURST_SERVICE_USECS}"), ("mode", "sdk"),
            ("dispatch", "balanced"), ("instances.min", minimum), ("instances.max", maximum),
            ("scale.target", 2), ("scale.up-after", 1), ("scale.down-after", BURST_DOWN_AFTER),
            ("scale.cooldown", 1), ("heartbeat", 0), ("restart", "on-failure"))
    return "".join(f"zenka.bench.{key} = {value}\n" for key, value in keys)


# What bursts add (docs/pooling.md "Bursts"): A may hold up to 10 compute leases for `bench`, B
# and C lend 5 slots each for it. A cube that does not know these keys (one without bursts)
# runs without them: A alone then meets the step.
# B and C burst on nobody themselves (`bursts = 0`): what they run is A's load.
BURST_A_KEYS = "zenka.bench.bursts = 10\n"
BURST_OFFER_KEYS = f"zenka.bench.bursts = 0\nnode.compute.slots = {BURST_SLOTS}\nnode.compute.runs = bench\n"


def knows_keys(args, work, text):
    """Whether `cube check-config` takes `text` without unknown keys."""
    path = os.path.join(work, "probe.conf")
    with open(path, "w") as f:
        f.write(CONFIG + text)
    done = subprocess.run([args.cube, "check-config", "--config", path], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    return done.returncode == 0 and "unknown" not in done.stdout.decode().lower()


def write_burst_configs(args, work):
    a = burst_zenka(args, BURST_A_MAX, BURST_A_MAX)
    other = burst_zenka(args, 0, BURST_OTHER_OWN)
    bursts = knows_keys(args, work, a + BURST_A_KEYS) and knows_keys(args, work, other + BURST_OFFER_KEYS)
    with open(os.path.join(work, "burst-a.conf"), "w") as f:
        f.write(BURST_NODE_CONFIG + a + (BURST_A_KEYS if bursts else ""))
    with open(os.path.join(work, "burst-other.conf"), "w") as f:
        f.write(BURST_NODE_CONFIG + other + (BURST_OFFER_KEYS if bursts else ""))
    return bursts


class Admin:
    """One unix-root session to a cube, for `stats` and `list nodes` while the load runs."""

    def __init__(self, sock):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(5)
        self.sock.connect(sock)
        self.sock.sendall(b"select unix\nauth unix-root\n")
        self.buf = b""
        self.id = 0
        self._until(lambda: b"AUTH_TRUE" in self.buf and self.buf.endswith(b"\n"))
        self.buf = b""

    def _until(self, done):
        while not done():
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("a cube closed an admin session")
            self.buf += chunk

    def ask(self, command):
        """The reply text of `command` (a SIZE body, or what follows TRUE/FALSE)."""
        self.id += 1
        tag = f"({self.id})".encode()
        self.sock.sendall(tag + command.encode() + b"\n")
        self._until(lambda: tag in self.buf and b"\n" in self.buf[self.buf.index(tag):])
        start = self.buf.index(tag)
        head_end = self.buf.index(b"\n", start)
        head = self.buf[start + len(tag):head_end].decode()
        if head.startswith("SIZE "):
            size = int(head.split()[1])
            self._until(lambda: len(self.buf) >= head_end + 1 + size)
            body = self.buf[head_end + 1:head_end + 1 + size].decode()
            self.buf = self.buf[head_end + 1 + size:]
            return body
        self.buf = self.buf[head_end + 1:]
        return head

    def close(self):
        self.sock.close()


def parse_stats(text):
    """The `name value` figures of `stats bench` (docs/pooling.md "Stats"), before its table."""
    figures = {}
    for line in text.split("\n\n")[0].splitlines():
        words = line.split()
        if len(words) == 2:
            try:
                figures[words[0]] = float(words[1])
            except ValueError:
                figures[words[0]] = words[1]
    return figures


class Watcher:
    """Polls `stats bench` on every node and reads every node's `events` file, with times."""

    def __init__(self, cubes, period=0.25):
        self.admins = {name: Admin(cube.socket) for name, cube in cubes.items()}
        self.samples = []  # (t, {node: figures}), one per poll of every node
        self.events = []   # (t, node, line)
        self.readers = [spawn(["cat", os.path.join(cube.mount, "events")], stdout=subprocess.PIPE)
                        for cube in cubes.values()]
        self.running = True
        self.threads = [threading.Thread(target=self._poll, args=(period,), daemon=True)]
        for name, reader in zip(cubes, self.readers):
            self.threads.append(threading.Thread(target=self._read, args=(name, reader), daemon=True))
        for thread in self.threads:
            thread.start()

    def _poll(self, period):
        while self.running:
            figures = {name: parse_stats(admin.ask("stats bench")) for name, admin in self.admins.items()}
            self.samples.append((time.monotonic(), figures))
            time.sleep(period)

    def _read(self, name, reader):
        for line in reader.stdout:
            self.events.append((time.monotonic(), name, line.decode(errors="replace").strip()))

    def local(self, node, since=0.0):
        """(t, instances taking commands on `node`) for every poll since `since`."""
        return [(t, f[node].get("instances", 0)) for t, f in self.samples if t >= since]

    def in_place(self, since, until):
        """(t, instances taking commands on every node together) for the polls in [since, until)."""
        return [(t, sum(x.get("instances", 0) for x in f.values())) for t, f in self.samples if since <= t < until]

    def stop(self):
        self.running = False
        self.threads[0].join(5)
        for reader in self.readers:
            stop(reader)
        for admin in self.admins.values():
            admin.close()


def p99_of(latencies):
    if not latencies:
        return 0.0
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * (len(ordered) - 1) + 0.5))]


def burst_round(args, work, bursts):
    cubes = start_nodes(args, work, ["burst-a.conf", "burst-other.conf", "burst-other.conf"], ring=True, mount=True)
    try:
        return burst_measure(args, work, cubes, bursts)
    finally:
        for cube in reversed(list(cubes.values())):
            cube.stop()


def burst_measure(args, work, cubes, bursts):
    a = Admin(cubes["n1"].socket)
    wait_until(lambda: parse_stats(a.ask("stats bench")).get("instances") == BURST_A_MAX,
               f"{BURST_A_MAX} instances of bench logged in on n1")
    wait_until(lambda: a.ask("list nodes").count("unreachable") == 0 and
               all(f"n{i}" in a.ask("list nodes") for i in (2, 3)), "n1 reaching n2 and n3")
    a.close()
    capacity_one = 1e6 / BURST_SERVICE_USECS
    phases = [(BURST_BASE_SECS, capacity_one), (BURST_STEP_SECS, 10 * capacity_one),
              (BURST_DOWN_AFTER + 5 + 5, 0)]
    watcher = Watcher(cubes)
    cpu_before = sum(cpu_of(c.pid) for c in cubes.values())
    argv = [args.p7load, "cube-step", cubes["n1"].socket, "bench.echo",
            ",".join(f"{secs:g}:{rate:g}" for secs, rate in phases), str(BURST_ROUTE_TIMEOUT + 5)]
    t0 = time.monotonic()
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=open(os.path.join(work, "p7load.log"), "ab"),
                         check=True).stdout.decode().splitlines()
    cpu = sum(cpu_of(c.pid) for c in cubes.values()) - cpu_before
    step_at, stop_at = t0 + BURST_BASE_SECS, t0 + BURST_BASE_SECS + BURST_STEP_SECS
    # The scale-in: polls go on until B and C run nothing, at most BURST_RELEASE_WATCH s after
    # the load stopped.
    released = lambda: all(any(t > stop_at and k == 0 for t, k in watcher.local(n, time.monotonic() - 1))
                           for n in ("n2", "n3"))
    deadline = stop_at + BURST_RELEASE_WATCH
    while time.monotonic() < deadline and not released():
        time.sleep(0.25)
    watcher.stop()
    summary = parse_kv(out[0])
    requests = [line.split() for line in out[1:]]
    # (sent s, latency s or None, answered TRUE) relative to the step
    records = [(float(s) / 1e3 - BURST_BASE_SECS, float(l) / 1e3 if k == "1" else None, k == "1")
               for s, l, k in requests]
    base = [l for s, l, ok in records if -3 <= s < 0 and ok]
    unloaded = p99_of(base)
    windows = []
    w = 0.0
    while w < BURST_STEP_SECS - 1e-9:
        lat = [l if ok else float("inf") for s, l, ok in records if w <= s < w + BURST_WINDOW]
        windows.append((w, p99_of(lat)))
        w += BURST_WINDOW
    debug("  p99 per %.1f s window of the step, ms: %s" % (BURST_WINDOW, " ".join(
        f"{value * 1e3:.0f}" if value != float("inf") else "lost" for _, value in windows)))
    recovered = None
    for start, value in windows:
        if value >= 2 * unloaded:
            recovered = None
        elif recovered is None:
            recovered = start
    answered_in_step = sum(1 for s, l, ok in records if ok and 0 <= s + l < BURST_STEP_SECS)
    throughput = answered_in_step / BURST_STEP_SECS
    # What could be answered: the instances in place on all nodes (each poll), at most the offered
    # load, averaged over the step. Slow scaling shows in the recovery time, not here.
    offered = 10 * capacity_one
    polls = watcher.in_place(step_at, stop_at)
    capacity = statistics.mean(min(offered, k * capacity_one) for t, k in polls) if polls else offered
    step_lat = [l if ok else float("inf") for s, l, ok in records if 0 <= s < BURST_STEP_SECS]
    peak = {n: int(max([k for t, k in watcher.local(n, step_at)] or [0])) for n in cubes}
    after = {n: watcher.local(n, stop_at) for n in ("n2", "n3")}
    started_elsewhere = any(k > 0 for n in ("n2", "n3") for t, k in watcher.local(n))
    release = None
    if started_elsewhere:
        ends = []
        for n, polls in after.items():
            zero = [t for t, k in polls if k == 0]
            ends.append(zero[0] if zero and all(k == 0 for t, k in polls if t >= zero[0]) else None)
        release = None if None in ends else max(ends) - stop_at
    interesting = ("scale-up", "scale-down", "burst", "burst-end", "lease", "lease-end")
    events = [(t - step_at, n, line) for t, n, line in watcher.events if line.split()[0] in interesting]
    for t, n, line in events:
        debug(f"  {t:+7.2f} s {n}: {line}")
    return {
        "unloaded_p99_ms": unloaded * 1e3,
        "recovered_s": recovered,
        "step_p99_ms": p99_of(step_lat) * 1e3,
        "throughput": throughput,
        "offered": offered,
        "capacity": capacity,
        "used": throughput / capacity,
        "peak": peak,
        "released_s": release,
        "started_elsewhere": started_elsewhere,
        "lost": summary["false"] + summary["unanswered"],
        "sent": summary["sent"],
        "cpu_us": 1e6 * cpu / max(summary["sent"], 1),
        "events": events,
        "load": os.getloadavg()[0],
    }


def burst(args, work, rounds):
    """`rounds` burst rounds, each on three fresh cubes; prints a line per round (and its events)."""
    bursts = write_burst_configs(args, work)
    capacity_one = 1e6 / BURST_SERVICE_USECS
    log(f"bench: burst (3 nodes; bench takes {BURST_SERVICE_USECS / 1000:g} ms a request: {capacity_one:g}/s per "
        f"instance; n1 runs {BURST_A_MAX}, n2 and n3 up to {BURST_SLOTS} each for others; load on n1 "
        f"{capacity_one:g}/s for {BURST_BASE_SECS} s, then {10 * capacity_one:g}/s for {BURST_STEP_SECS} s)")
    if not bursts:
        log("bench: this cube does not know node.compute.slots (no bursts): n2 and n3 offer nothing")
    runs = []
    for number in range(1, rounds + 1):
        r = burst_round(args, work, bursts)
        runs.append(r)
        print(f"burst round {number}: unloaded p99 {r['unloaded_p99_ms']:.1f} ms, back under 2x after "
              f"{burst_seconds(r['recovered_s'])}, p99 during the step {burst_ms(r['step_p99_ms'])}, "
              f"{r['throughput']:.0f}/s ({100 * r['used']:.0f} % of the {r['capacity']:.0f}/s in place), "
              f"instances at peak {burst_peak(r['peak'])}, released {burst_released(r)}, "
              f"lost {r['lost']:.0f} of {r['sent']:.0f}, cubes' CPU {r['cpu_us']:.0f} us/request, "
              f"load {r['load']:.2f}", flush=True)
        for t, n, line in r["events"]:
            print(f"    {t:+7.2f} s  {n}  {line}")
    note = (f"n2 and n3 offer {BURST_SLOTS} slots each" if bursts
            else "this cube has no bursts: n2 and n3 offer nothing")
    return runs, note


def burst_only(args, work):
    runs, note = burst(args, work, args.burst_rounds)
    print()
    print(table(burst_rows(runs)))
    print(f"Medians of {len(runs)} rounds (min / median / max in the reference column); {note}; load average "
          f"{args.load_before} at the start, {load_average()} at the end, on {os.cpu_count()} cores")
    return 0


def burst_ms(value):
    # a p99 over requests of which more than 1 % were lost (FALSE or never answered) is infinite
    return "lost>1%" if value == float("inf") else f"{value:,.0f} ms"


def burst_seconds(value):
    return "never" if value is None else f"{value:.1f} s"


def burst_peak(peak):
    return ", ".join(f"{n} {k}" for n, k in peak.items())


def burst_released(r):
    if not r["started_elsewhere"]:
        return "n/a (nothing started on n2 or n3)"
    return "not within the watch" if r["released_s"] is None else f"{r['released_s']:.1f} s after the load stopped"


def burst_rows(runs):
    def spread_of(key, digits=1):
        known = [r for r in runs if r[key] is not None]
        never = f" ({len(runs) - len(known)} never)" if len(known) < len(runs) else ""
        return (" / ".join(fmt(v, digits) for v in spread(known, key)) if known else "-") + never

    def median_or_none(key):
        values = [r[key] for r in runs]
        if any(v is None for v in values):
            # "never" counts as the worst: the median is None when half or more never got there
            known = sorted(v for v in values if v is not None)
            return known[len(known) // 2] if len(known) > len(values) // 2 else None
        return statistics.median(values)

    recovered = median_or_none("recovered_s")
    used = statistics.median(r["used"] for r in runs)
    lost = max(r["lost"] for r in runs)
    elsewhere = all(r["started_elsewhere"] for r in runs)
    released = median_or_none("released_s") if elsewhere else None
    met = lambda ok: "met" if ok else "NOT MET"
    peaks = {n: statistics.median(r["peak"][n] for r in runs) for n in runs[0]["peak"]}
    return [
        ("burst: unloaded p99 (1x on n1), ms", fmt(statistics.median(r["unloaded_p99_ms"] for r in runs), 1),
         "min/med/max", spread_of("unloaded_p99_ms"), "", "", ""),
        ("  back under 2x unloaded p99, s", burst_seconds(recovered).replace(" s", ""), "min/med/max",
         spread_of("recovered_s"), "", "<= 5 s", met(recovered is not None and recovered <= 5)),
        ("  p99 during the step", burst_ms(statistics.median(r["step_p99_ms"] for r in runs)), "min/med/max",
         " / ".join(burst_ms(v) for v in spread(runs, "step_p99_ms")), "", "", ""),
        ("  throughput during the step, req/s", fmt(statistics.median(r["throughput"] for r in runs)),
         "instances in place", fmt(statistics.median(r["capacity"] for r in runs)),
         f"{100 * used:.0f} %", ">= 80 %", met(used >= 0.8)),
        ("  the same against the offered load", fmt(statistics.median(r["throughput"] for r in runs)),
         "offered", fmt(runs[0]["offered"]),
         f"{100 * statistics.median(r['throughput'] for r in runs) / runs[0]['offered']:.0f} %", "", ""),
        ("  instances at the peak", burst_peak({n: int(k) for n, k in peaks.items()}), "", "", "", "", ""),
        ("  released after the load stopped, s", "n/a" if not elsewhere else burst_seconds(released).replace(" s", ""),
         "min/med/max", spread_of("released_s") if elsewhere else "-", "",
         f"<= {BURST_DOWN_AFTER + 5} s", met(released is not None and released <= BURST_DOWN_AFTER + 5)
         if elsewhere else "n/a: nothing started elsewhere"),
        ("  requests lost (FALSE or unanswered)", fmt(lost), "sent", fmt(statistics.median(r["sent"] for r in runs)),
         "", "0", met(lost == 0)),
        ("  cubes' CPU us/request (all three)", fmt(statistics.median(r["cpu_us"] for r in runs)), "min/med/max",
         spread_of("cpu_us", 0), "", "", ""),
    ]


def full(args, work):
    if args.only == "cross-node":
        print_cross_node(cross_node(args, work), args.cross_rounds)
        print(f"Load average (1/5/15 min): {args.load_before} at the start, {load_average()} at the end.")
        return
    args.routed_only = args.only == "routed"
    if not args.routed_only:
        log("bench: start-up")
        to_socket, to_mount, mcube = startup(args, work, 3)
        log("bench: filesystem round trip")
        fs_p50, sock_p50, fs_p99, fs_ratios = filesystem(args, work, mcube, args.fs_count, 2, args.fs_rounds)
        mcube.stop()

    log("bench: request-reply (cube, nats-server, raw socket pair)")
    cube = Cube(args, work)
    responder = start_responder(args, cube, work)
    nats, port = start_nats(work)
    nats_responder = spawn([args.p7load, "nats-responder", str(port)], os.path.join(work, "nats-responder.log"),
                           stdout=subprocess.PIPE)
    if nats_responder.stdout.readline().strip() != b"ready":
        raise RuntimeError("nats responder did not subscribe")
    args.servers = {"cube": {"server": cube.proc, "responder": responder},
                    "nats": {"server": nats, "responder": nats_responder},
                    "raw": {}}
    runs = throughput(args, work, cube, port, args.rounds, args.seconds)
    stop(nats_responder)
    stop(nats)

    if not args.routed_only:
        log(f"bench: scale ({args.requests:,} requests, {args.idle:,} idle sessions, {args.active:,} active clients)")
        sc = scale(args, work, cube, args.requests)
    stop(responder)
    cube.stop()
    if not args.routed_only:
        sessions_scale(args, work, sc, args.idle, args.active, 3)

    if not args.routed_only:
        log("bench: uneven workers (balanced dispatch vs a NATS queue group)")
        um, _ = uneven(args, work, args.rounds, args.seconds)
        # One burst round here (about 45 s); --only burst runs --burst-rounds of them.
        bm, burst_note = burst(args, work, 1)

    m = {k: {f: median_of(v, f) for f in v[0]} for k, v in runs.items()}
    c1, n1, r1 = m[("cube", "1")], m[("nats", "1")], m[("raw", "1")]
    c64, n64, r64 = m[("cube", "64")], m[("nats", "64")], m[("raw", "64")]
    rows = [
        ratio_row("routed sequential, round trips/s", c1["rate"], "nats-server", n1["rate"], 1.5),
        ratio_row("  median latency, us", c1["p50_us"], "nats-server", n1["p50_us"], None, False, 1),
        ratio_row("  p99 latency, us", c1["p99_us"], "nats-server", n1["p99_us"], None, False, 1),
        ratio_row("routed pipelined 64, requests/s", c64["rate"], "nats-server", n64["rate"], 1.5),
        ratio_row("sequential: server CPU us/request", c1["cpu_us_per_request"], "nats-server",
                  n1["cpu_us_per_request"], 0.6, False, 2),
        ratio_row("pipelined 64: server CPU us/request", c64["cpu_us_per_request"], "nats-server",
                  n64["cpu_us_per_request"], 0.6, False, 2),
        ratio_row("routed sequential vs floor, rt/s", c1["rate"], "raw socketpair", r1["rate"]),
        ratio_row("routed pipelined 64 vs floor, req/s", c64["rate"], "raw socketpair", r64["rate"]),
    ]
    if not args.routed_only:
        rows += [
            ratio_row("filesystem cmd->out median, us", fs_p50, "socket median", sock_p50, 1.5, False, 1),
            ("  filesystem p99, us", fmt(fs_p99, 1), "", "", "", "", ""),
            ("  ratio per round", f"{len(fs_ratios)} rounds", "min/med/max",
             f"{min(fs_ratios):.2f} / {statistics.median(fs_ratios):.2f} / {max(fs_ratios):.2f}", "", "", ""),
            ("idle sessions: KiB per session", fmt(sc["idle_per_session"], 2), f"{args.idle:,} sessions",
             fmt(sc["idle_rss"] - sc["idle_base"]) + " KiB", "", "<= 2 KiB",
             "met" if sc["idle_per_session"] <= 2 else "NOT MET"),
            (f"RSS with {args.active:,} active clients, KiB", fmt(sc["active_rss"]), "RSS before",
             fmt(sc["active_base"]), f"{sc['active_rss'] / sc['active_base']:.2f}x", "", ""),
            (f"  {args.active:,} active clients, requests/s", fmt(sc["active_rate"]), "", "", "", "", ""),
            (f"RSS after {args.requests:,} requests, KiB", fmt(sc["rss_after"]), "RSS before",
             fmt(sc["rss_before"]), f"{sc['rss_after'] / sc['rss_before']:.2f}x", "no growth",
             "met" if sc["rss_after"] - sc["rss_before"] <= max(1024, 0.02 * sc["rss_before"]) else "NOT MET"),
            ("start-up to socket answering, ms", fmt(to_socket * 1000, 1), "", "", "", "", ""),
            ("start-up to mount ready, ms", fmt(to_mount * 1000, 1), "", "", "", "", ""),
        ] + uneven_rows(um) + burst_rows(bm)
    print()
    print(table(rows))
    if not args.routed_only:
        print(f"Burst: one round; {burst_note}.")
    print()
    print_spread(runs, args.rounds)
    print()
    print("CPU use during each run, % of one core (median; the load generator must stay well below the server):")
    for name in ("cube", "nats", "raw"):
        for depth in ("1", "64"):
            r = m[(name, depth)]
            pct = lambda key: f"{100 * r[key] / r['wall']:3.0f}%"
            parts = [f"load generator {pct('cpu_all')}"]
            if "cpu_server" in r:
                parts.append(f"{'cube' if name == 'cube' else 'nats-server'} {pct('cpu_server')}")
            parts.append(f"responder {pct('cpu_responder')}")
            print(f"  {name:5} depth {depth:>2}: {', '.join(parts)}")
    if not args.routed_only:
        print(f"Cube: RLIMIT_NOFILE {sc['nofile']}, {sc['logins_per_sec']:,.0f} logins/s, "
              f"{args.requests:,} requests at {sc['grow_rate']:,.0f}/s.")
    print(f"Medians of {args.rounds} interleaved rounds of {args.seconds:g} s (+0.5 s warm-up each).")
    if not args.routed_only:
        log("bench: across nodes (three cubes, a nats cluster)")
        print_cross_node(cross_node(args, work), args.cross_rounds)
    print(f"Load average (1/5/15 min): {args.load_before} at the start, {load_average()} at the end.")
    print(f"bench-check record: routed_pipelined={c64['rate']:.0f} routed_sequential={c1['rate']:.0f}")


def check(args, work):
    """Short routed benchmark; fails only below 20 % of the figure recorded in the doc."""
    text = open(args.check).read()
    found = re.search(r"bench-check record: routed_pipelined=(\d+) routed_sequential=(\d+)", text)
    if not found:
        raise RuntimeError(f"no 'bench-check record:' line in {args.check}")
    recorded = {"64": int(found.group(1)), "1": int(found.group(2))}
    cube = Cube(args, work)
    start_responder(args, cube, work)
    failed = False
    for depth, name in (("1", "sequential"), ("64", "pipelined 64")):
        best = max(measure([args.p7load, "cube-request", cube.socket, depth, "0.3", "1.5"], {}, work)["rate"]
                   for _ in range(2))
        floor = 0.2 * recorded[depth]
        ok = best >= floor
        failed |= not ok
        print(f"bench-check: routed {name}: {best:,.0f}/s (recorded {recorded[depth]:,}/s, floor {floor:,.0f}/s) "
              f"{'ok' if ok else 'REGRESSION'}")
    return 1 if failed else 0


def main():
    global verbose
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cube", required=True)
    p.add_argument("--p7load", required=True)
    p.add_argument("--check", metavar="DOC", help="regression check against the figure recorded in DOC")
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=float, default=1)
    p.add_argument("--idle", type=int, default=10000)
    p.add_argument("--active", type=int, default=1000)
    p.add_argument("--requests", type=int, default=1000000)
    p.add_argument("--fs-count", type=int, default=2000)
    p.add_argument("--fs-rounds", type=int, default=5,
                   help="interleaved filesystem and socket rounds of make bench's filesystem figure")
    p.add_argument("--only", choices=("routed", "cross-node", "filesystem", "uneven", "burst", "idle"),
                   help="only the routed rounds (cube, nats-server, raw), only the cross-node figures, "
                        "only the filesystem round trip (--rounds times), only the uneven workers, "
                        "only the burst onto three nodes (--burst-rounds times), "
                        "or only the idle-session memory (--rounds times, --idle sessions)")
    p.add_argument("--idle-wait", type=float, default=0,
                   help="seconds from 0.5 s after the last idle login to the memory figure (to let sessions park)")
    p.add_argument("--park-after", type=int, default=None,
                   help="socket.park-after of the benchmark cube (default: the cube's own, 0 = never park)")
    p.add_argument("--cross-rounds", type=int, default=5)
    p.add_argument("--burst-rounds", type=int, default=3, help="rounds of --only burst (make bench runs one)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    verbose = args.verbose
    args.cube, args.p7load = os.path.abspath(args.cube), os.path.abspath(args.p7load)

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # inherited by the cube and p7load
    need = args.idle + 200
    if not args.check and hard < need:
        log(f"bench: RLIMIT_NOFILE hard limit {hard} < {need}; idle sessions reduced to {hard - 200}")
        args.idle = hard - 200

    args.load_before = load_average()
    work = tempfile.mkdtemp(prefix="p7bench-")
    with open(os.path.join(work, "cube.conf"), "w") as f:
        f.write(CONFIG + (f"socket.park-after = {args.park_after}\n" if args.park_after is not None else ""))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    status = 1
    t0 = time.monotonic()
    try:
        if args.only == "filesystem":
            status = filesystem_only(args, work)
        elif args.only == "uneven":
            status = uneven_only(args, work) or 0
        elif args.only == "burst":
            status = burst_only(args, work)
        elif args.only == "idle":
            status = idle_only(args, work)
        else:
            status = check(args, work) if args.check else (full(args, work) or 0)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        log(f"bench: FAILED: {error}")
        for name in ("cube.log", "responder.log", "p7load.log", "nats.log", "workers.log", "n1.log", "n2.log", "n3.log"):
            path = os.path.join(work, name)
            if os.path.exists(path) and os.path.getsize(path):
                log(f"--- {name} (last lines)")
                log("".join(open(path, errors="replace").readlines()[-15:]))
    except KeyboardInterrupt:
        log("bench: interrupted")
    finally:
        stop_all()
        if args.keep or status:
            log(f"bench: logs kept in {work}")
        elif not any(mounted(path) for path in mounts):
            shutil.rmtree(work, ignore_errors=True)
    if not args.check:
        log(f"bench: done in {time.monotonic() - t0:.0f} s")
    sys.exit(status)


if __name__ == "__main__":
    main()
