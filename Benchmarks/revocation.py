#!/usr/bin/env python3
"""Revocation propagation time on the demo network (docs/security.md, "Revocation").

Starts `scripts/network-demo.sh start DIR N` (default 5 nodes: ring + chord) with the shipped
configuration plus `auth.c25519.trusted-signers = <n1's key>` (applied with `cube reload`), then
for each round: n1's key signs a certificate for a fresh name (`cube cert sign`, offline, as an
admin would), the user logs in with `p7 --key --cert` at every node and keeps a terminal open
there, n1's admin runs `p7 revoke <certificate-id>`, and the script times, per node, when
that node closed the open session (`!TERM! credentials revoked`; each terminal sends `heart`
every POLL seconds, so the close is seen within POLL) and then checks that a new login is
refused with the reason everywhere. Times count from just before `p7 revoke` is started (its
own start-up and login on the unix socket included). Prints every round, then
min/median/max of "every node closed", and the load average. Stops the network at the end.

    python3 Benchmarks/revocation.py --rounds 7
    python3 Benchmarks/revocation.py --nodes 5 --rounds 5 --port 29301 --dir /tmp/revdemo
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLL = 0.005


def run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


class Terminal:
    """A `p7 ... shell` logged in with the certificate, sending `heart` every POLL seconds
    until the cube closes it; `closed` is the monotonic time its process ended."""

    def __init__(self, p7, address, key, cert, known):
        self.process = subprocess.Popen(
            [p7, "--connect", address, "--key", key, "--cert", cert, "--known-nodes", known, "--pin", "shell"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.closed = None
        self.output = []
        self.running = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.output.append(line)
            if "remote-" in line:
                self.running.set()
        self.process.wait()
        self.closed = time.monotonic()
        self.running.set()

    def wait_logged_in(self, timeout=20):
        self.process.stdin.write("whoami\n")
        self.process.stdin.flush()
        if not self.running.wait(timeout) or self.closed is not None:
            raise RuntimeError("login failed: " + "".join(self.output))

    def poll_until_closed(self, deadline):
        while self.closed is None and time.monotonic() < deadline:
            try:
                self.process.stdin.write("heart\n")
                self.process.stdin.flush()
            except (BrokenPipeError, OSError):
                break
            time.sleep(POLL)
        self.reader.join(max(0.0, deadline - time.monotonic()))

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--port", type=int, default=29301, help="first TCP port of the demo (P7_DEMO_PORT)")
    parser.add_argument("--dir", help="the demo's directory (default: a new temporary one, removed at the end)")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug"), help="where cube and p7 are")
    options = parser.parse_args()
    cube, p7 = os.path.join(options.bin, "cube"), os.path.join(options.bin, "p7")
    directory = options.dir or tempfile.mkdtemp(prefix="revdemo-")
    os.makedirs(directory, exist_ok=True)
    config = os.path.join(directory, "config")
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "configuration"), config)
    env = dict(os.environ, CUBE=cube, P7_DEMO_PORT=str(options.port), P7_DEMO_CONFIG=config, P7_DEMO_TIMEOUT="60")
    demo = os.path.join(ROOT, "scripts", "network-demo.sh")
    names = ["n%d" % i for i in range(1, options.nodes + 1)]
    sockets = {name: os.path.join(directory, name + ".sock") for name in names}
    addresses = {name: "tcp:127.0.0.1:%d" % (options.port + i) for i, name in enumerate(names)}
    subprocess.run([demo, "start", directory, str(options.nodes)], check=True, env=env)
    terminals = []
    try:
        keys = dict(line.split() for line in open(os.path.join(directory, "nodes")) if line.strip())
        with open(os.path.join(config, "cube.conf"), "a") as conf:
            conf.write("\nauth.c25519.trusted-signers = %s\n" % keys["n1"])
        for name in names:
            run([cube, "reload", "--socket", sockets[name]])
        user_key = os.path.join(directory, "user.key")
        if os.path.exists(user_key):
            os.remove(user_key)
        user = run([cube, "keygen", "--out", user_key]).split()[-1]
        known = os.path.join(directory, "known-nodes")
        every = []
        for round_number in range(1, options.rounds + 1):
            name = "remote-r%d-%d" % (round_number, os.getpid())
            cert = os.path.join(directory, name + ".cert")
            with open(cert, "w") as out:
                out.write(run([cube, "cert", "sign", "--key", os.path.join(directory, "n1.key"), "--name", name,
                               "--days", "1", user]))
            cert_id = next(line.split()[-1] for line in run([cube, "cert", "show", cert]).splitlines()
                           if line.startswith("id"))
            terminals = [Terminal(p7, addresses[node], user_key, cert, known) for node in names]
            for terminal in terminals:
                terminal.wait_logged_in()
            started = time.monotonic()
            revoke = subprocess.run([p7, "--socket", sockets["n1"], "revoke", cert_id], capture_output=True, text=True)
            replied = time.monotonic()
            if revoke.returncode != 0:
                raise RuntimeError("revoke failed: " + revoke.stdout + revoke.stderr)
            threads = [threading.Thread(target=t.poll_until_closed, args=(started + 20,)) for t in terminals]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            closed = {node: t.closed for node, t in zip(names, terminals)}
            reasons = {node: "".join(t.output) for node, t in zip(names, terminals)}
            missing = [node for node in names if closed[node] is None or "credentials revoked" not in reasons[node]]
            if missing:
                raise RuntimeError("sessions not closed with the reason on %s: %s" % (missing, reasons))
            # A new login is refused everywhere, with the reason.
            for node in names:
                login = subprocess.run([p7, "--connect", addresses[node], "--key", user_key, "--cert", cert,
                                        "--known-nodes", known, "--pin", "whoami"], capture_output=True, text=True)
                if login.returncode != 3 or "key certificate revoked (cert:%s)" % cert_id not in login.stderr:
                    raise RuntimeError("%s did not refuse: %s %s" % (node, login.stdout, login.stderr))
            times = {node: (closed[node] - started) * 1000 for node in names}
            every.append(max(times.values()))
            print("round %d: revoke replied %.0f ms; closed at %s; every node %.0f ms; all refuse new logins"
                  % (round_number, (replied - started) * 1000,
                     ", ".join("%s %.0f" % (node, times[node]) for node in names), every[-1]))
            for terminal in terminals:
                terminal.stop()
            terminals = []
        load = open("/proc/loadavg").read().split()[:3]
        print("revocation on the %d-node demo network, %d rounds: every node closed the session after "
              "min %.0f / median %.0f / max %.0f ms (from the start of `p7 revoke`); load average %s"
              % (options.nodes, len(every), min(every), statistics.median(every), max(every), " ".join(load)))
    finally:
        for terminal in terminals:
            terminal.stop()
        subprocess.run([demo, "stop", directory], env=env)
        if not options.dir:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
