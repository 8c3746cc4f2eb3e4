#!/usr/bin/env python3
"""Syscalls, context switches and bytes per syscall of the cube and nats-server per routed request.

`perf stat` counts the syscall tracepoints of the server process (all threads) while one load
generator runs at DEPTH requests in flight; nothing is traced per call, so the server runs at
full speed (strace would stop it at every call). Bytes per read/write come from the bytes
`/proc/<pid>/io` (`rchar`, `wchar`: bytes read and written by syscalls) over the same window,
divided by the reads and writes counted. Needs root (or perf_event_paranoid <= -1) and perf.

    python3 Benchmarks/syscalls.py --cube .build/release/cube --p7load .build/bench/p7load [--depth 64]
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (the bench driver: processes, cube, responders)

READS = ("read", "readv", "recvfrom", "recvmsg")
WRITES = ("write", "writev", "sendto", "sendmsg")
WAITS = ("epoll_wait", "epoll_pwait", "futex", "nanosleep", "sched_yield")
EVENTS = READS + WRITES + WAITS


def count(pid, seconds):
    """Runs perf stat on `pid` for `seconds`; returns {event: count}."""
    argv = ["perf", "stat", "-x", ",", "-p", str(pid), "-e",
            ",".join([f"syscalls:sys_enter_{e}" for e in EVENTS] + ["context-switches"]), "--", "sleep", str(seconds)]
    out = subprocess.run(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, check=True).stderr.decode()
    counts = {}
    for line in out.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[0].strip().isdigit():
            counts[fields[2].replace("syscalls:sys_enter_", "")] = int(fields[0])
    return counts


def io_bytes(pid):
    with open(f"/proc/{pid}/io") as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["rchar"]), int(fields["wchar"])


def measure(name, server_pid, load_argv, seconds, work):
    """One load run; perf attached for `seconds` after 0.5 s; returns a printable row."""
    before = run.cpu_of(server_pid)
    load = subprocess.Popen(load_argv, stdout=subprocess.PIPE, stderr=open(os.path.join(work, "p7load.log"), "ab"))
    time.sleep(0.5)
    read0, written0 = io_bytes(server_pid)
    counts = count(server_pid, seconds)
    read1, written1 = io_bytes(server_pid)
    out = load.communicate()[0].decode()
    result = run.parse_kv(out.strip().splitlines()[-1])
    requests = result["rate"] * seconds
    cpu_us = 1e6 * (run.cpu_of(server_pid) - before) / result["ops_all"]
    reads = sum(counts.get(e, 0) for e in READS)
    writes = sum(counts.get(e, 0) for e in WRITES)
    waits = {e: counts.get(e, 0) / requests for e in WAITS if counts.get(e, 0)}
    return (f"{name:12} {result['rate']:>9,.0f}/s  CPU {cpu_us:5.2f} us/req  "
            f"reads {reads / requests:6.3f}/req ({(read1 - read0) / max(reads, 1):7.0f} B each)  "
            f"writes {writes / requests:6.3f}/req ({(written1 - written0) / max(writes, 1):7.0f} B each)  "
            f"ctx switches {counts.get('context-switches', 0) / requests:6.3f}/req  "
            + "  ".join(f"{e} {v:.3f}/req" for e, v in waits.items()))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cube", required=True)
    p.add_argument("--p7load", required=True)
    p.add_argument("--depth", default="64")
    p.add_argument("--seconds", type=float, default=2)
    args = p.parse_args()
    args.cube, args.p7load = os.path.abspath(args.cube), os.path.abspath(args.p7load)
    work = tempfile.mkdtemp(prefix="p7sys-")
    with open(os.path.join(work, "cube.conf"), "w") as f:
        f.write(run.CONFIG)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        print(f"load average {run.load_average()}, depth {args.depth}, {args.seconds:g} s counted per run")
        cube = run.Cube(args, work)
        run.start_responder(args, cube, work)
        nats, port = run.start_nats(work)
        run.start_nats_responder(args, port, work)
        total = 0.5 + args.seconds + 0.5
        for _ in range(2):
            print(measure("cube", cube.pid, [args.p7load, "cube-request", cube.socket, args.depth, "0", str(total)],
                          args.seconds, work))
            print(measure("nats-server", nats.pid, [args.p7load, "nats-request", str(port), args.depth, "0", str(total)],
                          args.seconds, work))
        print(f"load average {run.load_average()}")
    finally:
        run.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
