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
    python3 Benchmarks/run.py ... --only filesystem --rounds 3      (the mount's round trip alone)
"""
import argparse
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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


def free_port():
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


def filesystem(args, work, cube, count, secs):
    """FS round trip and socket round trip on the same (mounted) cube, interleaved."""
    responder = start_responder(args, cube, work)
    servers = {"cube": cube.proc}
    fs_runs, sock_runs = [], []
    for _ in range(2):
        fs_runs.append(measure([args.p7load, "fs", cube.mount, str(count)], servers, work))
        sock_runs.append(measure([args.p7load, "cube-request", cube.socket, "1", "0.3", str(secs)], servers, work))
    stop(responder)
    return median_of(fs_runs, "p50_us"), median_of(sock_runs, "p50_us"), median_of(fs_runs, "p99_us")


def filesystem_only(args, work):
    """`--only filesystem`: the filesystem and socket round trips on one mounted cube, one line
    per round with the cube's CPU per filesystem round trip (which a busy machine moves less
    than latency) and the load average beside it (other builds on a shared machine move the figures)."""
    mount_dir = os.path.join(work, "net")
    os.makedirs(mount_dir, exist_ok=True)
    cube = Cube(args, work, mount=mount_dir)
    responder = start_responder(args, cube, work)
    servers = {"cube": cube.proc}
    ratios, cpus = [], []
    # p7load's fs mode warms up with count / 10 + 10 round trips before it starts timing.
    sent = args.fs_count + args.fs_count // 10 + 10
    for number in range(1, args.rounds + 1):
        fs_run = measure([args.p7load, "fs", cube.mount, str(args.fs_count)], servers, work)
        sock_run = measure([args.p7load, "cube-request", cube.socket, "1", "0.3", "2"], servers, work)
        ratios.append(fs_run["p50_us"] / sock_run["p50_us"])
        cpus.append(fs_run["cpu_cube"] / sent * 1e6)
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
        print(f"round {number}: filesystem cmd->out p50 {fs_run['p50_us']:.1f} us (p99 {fs_run['p99_us']:.1f} us), "
              f"socket p50 {sock_run['p50_us']:.1f} us, ratio {ratios[-1]:.2f}x, "
              f"cube CPU {cpus[-1]:.1f} us per filesystem round trip, load {load}", flush=True)
    stop(responder)
    cube.stop()
    print(f"median ratio {statistics.median(ratios):.2f}x (goal <= 1.2x), "
          f"median cube CPU {statistics.median(cpus):.1f} us per filesystem round trip, {args.rounds} rounds")
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


def sessions_scale(args, work, result, idle_sessions, active_clients, active_secs):
    """Each on a fresh cube (with its responder), so that neither inherits the other's heap."""
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
    result["idle_rss"] = rss_kib(cube.pid)
    result["idle_base"] = base
    result["idle_per_session"] = (result["idle_rss"] - base) / idle_sessions
    result["logins_per_sec"] = parse_kv(line)["logins_per_sec"]
    idle.stdin.close()
    idle.wait()
    stop(responder)
    cube.stop()
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
            out = subprocess.run([cube, "keygen", "--out", os.path.join(work, f"{name}.key")],
                                 stdout=subprocess.PIPE, check=True).stdout.decode()
            f.write(f"{name} {out.split()[-1]}\n")
    return nodes_file


def cross_node(args, work):
    """Request-reply two hops apart over encrypted links next to a two-server nats cluster."""
    with open(os.path.join(work, "net.conf"), "w") as f:
        f.write(NETWORK_CONFIG)
    names = ("n1", "n2", "n3")
    nodes_file = node_keys(args.cube, work, names)
    ports = {name: free_port() for name in names}
    cubes = {}
    for i, name in enumerate(names):  # a chain n1 - n2 - n3: n1 reaches n3 only through n2
        extra = ["--name", name, "--identity", os.path.join(work, f"{name}.key"), "--nodes", nodes_file,
                 "--listen", f"tcp:127.0.0.1:{ports[name]}"]
        if i + 1 < len(names):
            extra += ["--peer", f"tcp:127.0.0.1:{ports[names[i + 1]]}"]
        cubes[name] = Cube(args, work, name=name, extra=extra, config="net.conf")
    responder = start_responder(args, cubes["n3"], work)
    wait_until(lambda: cube_answers(cubes["n1"].socket, "n3.bench.echo"), "n1 reaching n3.bench through n2")
    ca, cb = free_port(), free_port()
    nats_a, port_a = start_nats(work, ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{ca}",
                                       "--routes", f"nats://127.0.0.1:{cb}"], "nats-a")
    nats_b, port_b = start_nats(work, ["--cluster_name", "bench", "--cluster", f"nats://127.0.0.1:{cb}",
                                       "--routes", f"nats://127.0.0.1:{ca}"], "nats-b")
    nats_responder = start_nats_responder(args, port_b, work)
    wait_until(lambda: nats_answers(port_a), "nats-server A reaching the responder on B")
    cube_servers = {"server": [c.proc for c in cubes.values()], "responder": responder}
    nats_servers = {"server": [nats_a, nats_b], "responder": nats_responder}
    secs = str(args.seconds)
    plan = []
    for depth in ("1", "64"):
        plan += [("cube", depth, [args.p7load, "cube-request", cubes["n1"].socket, depth, "0.5", secs, "0",
                                  "n3.bench.echo"], cube_servers),
                 ("nats", depth, [args.p7load, "nats-request", str(port_a), depth, "0.5", secs], nats_servers)]
    # The same responders asked from their own server: what the hops add.
    plan += [("cube-local", "1", [args.p7load, "cube-request", cubes["n3"].socket, "1", "0.5", secs], cube_servers),
             ("nats-local", "1", [args.p7load, "nats-request", str(port_b), "1", "0.5", secs], nats_servers)]
    runs = {}
    for _ in range(args.cross_rounds):
        for name, depth, argv, servers in plan:
            result = measure(argv, servers, work)
            result["cpu_us_per_request"] = 1e6 * result["cpu_server"] / max(result.get("ops_all", 0), 1)
            runs.setdefault((name, depth), []).append(result)
    for proc in (nats_responder, nats_b, nats_a, responder):
        stop(proc)
    for cube in reversed(list(cubes.values())):
        cube.stop()
    return runs


def print_cross_node(runs, rounds):
    m = {k: {f: median_of(v, f) for f in v[0]} for k, v in runs.items()}
    c1, n1, c64, n64 = m[("cube", "1")], m[("nats", "1")], m[("cube", "64")], m[("nats", "64")]
    cl, nl = m[("cube-local", "1")], m[("nats-local", "1")]
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
    ]
    print()
    print("Across nodes: requester on n1, responder on n3, two c25519 links n1-n2-n3 (all on loopback);")
    print("nats: requester on server A, responder on server B of a two-server cluster (one route).")
    print(table(rows))
    print(f"Medians of {rounds} interleaved rounds; spread (min / median / max):")
    for key, label, digits in (("rate", "round trips or requests/s", 0), ("cpu_us_per_request", "CPU us/request", 2)):
        for depth in ("1", "64"):
            cells = [" / ".join(fmt(v, digits) for v in spread(runs[(name, depth)], key)) for name in ("cube", "nats")]
            print(f"  depth {depth:>2} {label:26} cube {cells[0]:>28}   nats {cells[1]:>28}")


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
        fs_p50, sock_p50, fs_p99 = filesystem(args, work, mcube, args.fs_count, 2)
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
            ratio_row("filesystem cmd->out median, us", fs_p50, "socket median", sock_p50, 2, False, 1),
            ("  filesystem p99, us", fmt(fs_p99, 1), "", "", "", "", ""),
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
        ] + uneven_rows(um)
    print()
    print(table(rows))
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
    p.add_argument("--only", choices=("routed", "cross-node", "filesystem", "uneven"),
                   help="only the routed rounds (cube, nats-server, raw), only the cross-node figures, "
                        "only the filesystem round trip (--rounds times), or only the uneven workers")
    p.add_argument("--cross-rounds", type=int, default=5)
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
        f.write(CONFIG)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    status = 1
    t0 = time.monotonic()
    try:
        if args.only == "filesystem":
            status = filesystem_only(args, work)
        elif args.only == "uneven":
            status = uneven_only(args, work) or 0
        else:
            status = check(args, work) if args.check else (full(args, work) or 0)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        log(f"bench: FAILED: {error}")
        for name in ("cube.log", "responder.log", "p7load.log", "nats.log", "workers.log"):
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
