#!/usr/bin/env python3
"""The market's measurements (docs/market.md "Measurements"; issue 16's "Done when").

Acquire latency network-wide: NODES cubes (default 5: a ring n1..n5 plus the chord n1-n3, over
encrypted loopback links, each with its SQLite store), OFFERS `compute` offers spread evenly
over them (seeded random price, cores, region, mem), each made by a provider process on its
node that grants every lease at once. A consumer on n1 acquires ACQUIRES times per form, one
at a time, and the time from writing the command to reading its final reply is taken:

  where+rank   acquire compute 1 600 where cores >= 8 and region == 'eu' rank -price
  rank         acquire compute 1 600 rank cores / price
  by id        acquire <the offer where+rank picked> 1 600          (no matchmaking: the path alone)
  local        acquire compute 1 600 where node == 'n1' and cores >= 8 rank -price
  no match     acquire compute 1 600 where cores > 64                (matchmaking alone: FALSE on n1)

Then the ledger's write cost per charge and matchmaking's CPU alone, by cube-market-bench
(Benchmarks/MarketBench). Everything started here is stopped at the end; the load average is
printed with the figures, because the machines are shared.

    python3 Benchmarks/market.py --cube .build/debug/cube --bench .build/debug/cube-market-bench
    python3 Benchmarks/market.py ... --nodes 5 --offers 1000 --acquires 300 --charges 500
"""
import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the repository for the import below
from run import free_port, load_average, node_keys  # noqa: E402

CONFIG = """\
auth.methods = c25519 unix
auth.unix.implicit = yes
access.cmd.usr.unix-root = **
access.cmd.usr.* = heart whoami
limits.sessions = 1000
limits.routes-per-session = 10000
timeouts.route = 120
state.directory = {state}
"""

started = []


def log(message):
    print(message, file=sys.stderr, flush=True)


class Session:
    """A unix-root session of one cube: numbered commands, final replies by id."""

    def __init__(self, path, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buffer = b""
        self.sock.sendall(b"select unix\nauth unix-root\n(1)whoami\n")
        while not self.line().startswith(b"(1)TRUE"):
            pass

    def line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the cube closed the session")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def body(self, size):
        while len(self.buffer) < size:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the cube closed the session")
            self.buffer += chunk
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return body

    def send(self, text):
        self.sock.sendall(text.encode())

    def final(self, tid, interim=None):
        """Reads until the final reply of command `tid`: (line, body); `interim` sees WAIT lines."""
        prefix = f"({tid})".encode()
        while True:
            line = self.line()
            if not line.startswith(prefix):
                continue
            rest = line[len(prefix):]
            if rest.startswith(b"SIZE "):
                return rest, self.body(int(rest.split()[1]))
            if rest.startswith(b"WAIT"):
                if interim:
                    interim(rest)
                continue
            return rest, b""

    def call(self, tid, command):
        self.send(f"({tid}){command}\n")
        return self.final(tid)


def provide(path, count, seed):
    """The provider of one node (run as its own process): `count` offers, then grants every lease."""
    rng = random.Random(seed)
    session = Session(path)
    lines = []
    for index in range(count):
        price = rng.randint(100, 10_000)
        lines.append(f"({10 + index})offer compute 1000 price={price // 1000}.{price % 1000:03d} "
                     f"cores={2 ** rng.randint(0, 5)} region={rng.choice(['eu', 'us', 'ap'])} "
                     f"mem={2 ** rng.randint(0, 6)}GiB\n")
    # The offers are priced: the consumer on n1 (here the link user n1, there unix-root) needs credit.
    lines.insert(0, "(8)grant n1 1000000\n(9)grant unix-root 1000000\n")
    session.send("".join(lines))
    for tid in [8, 9] + [10 + index for index in range(count)]:
        line, _ = session.final(tid)
        if not line.startswith(b"TRUE"):
            raise SystemExit(f"({tid}) refused: {line!r}")
    session.sock.settimeout(None)
    print("ready", flush=True)
    while True:
        line = session.line()
        if line.startswith(b"(") and b")lease-request " in line:
            tid = line[1:line.index(b")")].decode()
            session.send(f"({tid})TRUE granted\n")


def percentile_summary(samples):
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)]
    return (f"min {ordered[0]:.2f} / median {statistics.median(ordered):.2f} / p99 {p99:.2f} / "
            f"max {ordered[-1]:.2f} ms")


def measure(session, command, count, first_id):
    """`count` sequential acquires: latencies in ms, replies and matched offers."""
    latencies, finals, matched = [], {}, {}
    for index in range(count):
        tid = first_id + index
        picks = []
        t0 = time.perf_counter()
        session.send(f"({tid}){command}\n")
        line, _ = session.final(tid, interim=picks.append)
        latencies.append((time.perf_counter() - t0) * 1000)
        words = line.decode().split()
        key = " ".join(words[:1] + (words[1:2] if words[0] == "FALSE" else []))
        finals[key] = finals.get(key, 0) + 1
        for pick in picks:
            offer = pick.decode().split()[-1]
            node = offer.split(":")[0] if ":" in offer else "n1"
            matched[node] = matched.get(node, 0) + 1
    return latencies, finals, matched, (picks[-1].decode().split()[-1] if picks else None)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cube", default=".build/debug/cube")
    parser.add_argument("--bench", default=".build/debug/cube-market-bench")
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--acquires", type=int, default=300)
    parser.add_argument("--charges", type=int, default=500)
    parser.add_argument("--provide", nargs=3, metavar=("SOCKET", "COUNT", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.provide:
        provide(args.provide[0], int(args.provide[1]), int(args.provide[2]))
        return
    work = tempfile.mkdtemp(prefix="market-bench-")
    try:
        run(args, work)
    finally:
        for proc in reversed(started):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(work, ignore_errors=True)


def run(args, work):
    names = [f"n{i}" for i in range(1, args.nodes + 1)]
    nodes_file = node_keys(args.cube, work, names)
    ports = {name: free_port() for name in names}
    sockets = {}
    for i, name in enumerate(names):
        config = os.path.join(work, f"{name}.conf")
        with open(config, "w") as f:
            f.write(CONFIG.format(state=os.path.join(work, name, "state")))
        peers = [names[(i + 1) % len(names)]] + (["n3"] if name == "n1" and len(names) >= 4 else [])
        sockets[name] = os.path.join(work, f"{name}.sock")
        argv = [args.cube, "run", "--config", config, "--name", name, "--socket", sockets[name], "--no-mount",
                "--log-level", "warning", "--listen", f"tcp:127.0.0.1:{ports[name]}",
                "--identity", os.path.join(work, f"{name}.key"), "--nodes", nodes_file]
        for peer in peers:
            argv += ["--peer", f"tcp:127.0.0.1:{ports[peer]}"]
        started.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(work, f"{name}.log"), "wb")))
    per_node = args.offers // len(names)
    for i, name in enumerate(names):
        proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--provide", sockets[name], str(per_node),
                                 str(16 + i)], stdout=subprocess.PIPE)
        started.append(proc)
        if proc.stdout.readline().strip() != b"ready":
            raise SystemExit(f"the provider on {name} did not start")
    consumer = Session(sockets["n1"])
    total = per_node * len(names)
    t0 = time.time()
    while True:
        _, body = consumer.call(2, "offers compute")
        listed = len(body.decode().splitlines()) - 2
        if listed >= total:
            break
        if time.time() - t0 > 60:
            raise SystemExit(f"n1 lists {listed} of {total} offers after 60 s; logs in {work}")
        time.sleep(0.2)
    log(f"market bench: {len(names)} nodes, {total} offers listed on n1 after {time.time() - t0:.1f} s")
    print(f"acquire latency on n1, {len(names)} nodes, {total} offers, {args.acquires} sequential acquires each "
          f"(load average before: {load_average()}):")
    forms = [
        ("where+rank", "acquire compute 1 600 where cores >= 8 and region == 'eu' rank -price"),
        ("rank", "acquire compute 1 600 rank cores / price"),
        ("by id", None),
        ("local", "acquire compute 1 600 where node == 'n1' and cores >= 8 rank -price"),
        ("no match", "acquire compute 1 600 where cores > 64"),
    ]
    pick = None
    next_id = 1000
    for label, command in forms:
        if command is None:
            command = f"acquire {pick} 1 600"
        latencies, finals, matched, last = measure(consumer, command, args.acquires, next_id)
        next_id += args.acquires
        if label == "where+rank":
            pick = last
        where = ", ".join(f"{node} {count}" for node, count in sorted(matched.items())) or "-"
        replies = ", ".join(f"{key} {count}" for key, count in sorted(finals.items()))
        print(f"  {label:10s} {percentile_summary(latencies)}  [{replies}; matched on: {where}]")
    print(f"  (load average after: {load_average()})")
    sys.stdout.flush()
    if os.path.exists(args.bench):
        subprocess.run([args.bench, os.path.join(work, "ledger"), str(args.charges), str(total)], check=True)
        print(f"  (load average: {load_average()})")
    else:
        log(f"market bench: {args.bench} not built (swift build --product cube-market-bench): ledger figures skipped")


if __name__ == "__main__":
    main()
