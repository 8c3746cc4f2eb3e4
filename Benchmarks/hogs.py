#!/usr/bin/env python3
"""Sequential round trips through a cube next to CPU-bound processes (docs/performance.md
"Busy-polling", "Next to CPU-bound work").

Starts a cube (with `metrics.listen` on 127.0.0.1:PORT and `socket.busy-poll` as given) and the
bench responder, then HOGS busy loops at the default priority, and runs one sequential
`p7load cube-request` for SECS; prints the load generator's line, the busy-poll counters that
moved, and the CPU seconds the cube and the hogs used over the run.

    python3 Benchmarks/hogs.py --cube .build/release/cube --p7load .build/bench/p7load --hogs 4 [--busy-poll 0]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import types
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the bench driver: processes, cube, responders)


def counters(port):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {line.split(" ")[0]: float(line.split(" ")[1]) for line in body.splitlines()
            if line.startswith("cube_busy_poll")}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cube", required=True)
    p.add_argument("--p7load", required=True)
    p.add_argument("--hogs", type=int, default=2)
    p.add_argument("--busy-poll", type=int, default=None, help="socket.busy-poll (default: the cube's default)")
    p.add_argument("--seconds", type=float, default=4)
    p.add_argument("--port", type=int, default=19477)
    a = p.parse_args()
    args = types.SimpleNamespace(cube=a.cube, p7load=a.p7load)
    work = tempfile.mkdtemp()
    config = run.CONFIG + f"\nmetrics.listen = 127.0.0.1:{a.port}\n"
    if a.busy_poll is not None:
        config += f"socket.busy-poll = {a.busy_poll}\n"
    with open(os.path.join(work, "cube.conf"), "w") as f:
        f.write(config)
    hogs = []
    try:
        cube = run.Cube(args, work)
        responder = run.start_responder(args, cube, work)
        hogs = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(a.hogs)]
        before = counters(a.port)
        cube0, hogs0 = run.cpu_of(cube.pid), sum(run.cpu_of(h.pid) for h in hogs)
        load = subprocess.run([a.p7load, "cube-request", cube.socket, "1", "0.5", str(a.seconds)],
                              stdout=subprocess.PIPE, check=True).stdout.decode().strip()
        after = counters(a.port)
        cube1, hogs1 = run.cpu_of(cube.pid), sum(run.cpu_of(h.pid) for h in hogs)
        print(f"hogs={a.hogs} busy-poll={'default' if a.busy_poll is None else a.busy_poll} {load}")
        print("  busy-poll counters:", {k: after[k] - before.get(k, 0) for k in after} or "none (off)")
        print(f"  cpu seconds: cube {cube1 - cube0:.2f}, hogs {hogs1 - hogs0:.2f}")
        cube.stop()
        responder.kill()
    finally:
        for h in hogs:
            h.kill()
        run.stop_all()


if __name__ == "__main__":
    main()
