/// Small python3 helpers that drive the mount from a child process (`python3 -I -c SCRIPT ...`).
/// Embedded as strings because the test target declares no resources.
enum MountScripts {
    /// `read PATH COUNT TIMEOUT PATTERN READYFLAG`: opens PATH for reading (blocking), creates
    /// READYFLAG (unless `-`) once open, then prints every line read until COUNT lines containing
    /// PATTERN (`-`: any line) were seen. Exit 0 when done, 3 on timeout, 4 on end-of-file first
    /// (prints `EOF`).
    static let read = #"""
    import os, sys, select, time
    path, count, timeout, pattern, ready = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
    fd = os.open(path, os.O_RDONLY)
    if ready != '-':
        open(ready, 'w').close()
    deadline = time.monotonic() + timeout
    buffer, seen = b'', 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while seen < count:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(3)
        if not poller.poll(int(left * 1000) + 1):
            continue
        data = os.read(fd, 65536)
        if not data:
            print('EOF', flush=True)
            sys.exit(4)
        buffer += data
        while b'\n' in buffer:
            line, buffer = buffer.split(b'\n', 1)
            text = line.decode('utf-8', 'replace')
            print(text, flush=True)
            if pattern == '-' or pattern in text:
                seen += 1
    """#

    /// `write PATH STEP...`: opens PATH write-only, then per step: `@sleep=S`, `@flag=FILE`
    /// (create FILE), `@wait=FILE` (wait for FILE), anything else is written with one `write(2)`
    /// (`\n` escapes decoded). Prints `write ok N` or `write ERRNONAME` per write, and
    /// `close ok` / `close ERRNONAME`.
    static let write = #"""
    import os, sys, time, errno
    path, steps = sys.argv[1], sys.argv[2:]
    fd = os.open(path, os.O_WRONLY)
    for step in steps:
        if step.startswith('@sleep='):
            time.sleep(float(step[7:]))
        elif step.startswith('@flag='):
            open(step[6:], 'w').close()
        elif step.startswith('@wait='):
            deadline = time.monotonic() + 10
            while not os.path.exists(step[6:]) and time.monotonic() < deadline:
                time.sleep(0.005)
        else:
            data = step.encode().decode('unicode_escape').encode('latin-1')
            try:
                print('write ok', os.write(fd, data), flush=True)
            except OSError as error:
                print('write', errno.errorcode[error.errno], flush=True)
    try:
        os.close(fd)
        print('close ok', flush=True)
    except OSError as error:
        print('close', errno.errorcode[error.errno], flush=True)
    """#

    /// `nonblock PATH`: one `O_NONBLOCK` read; prints `EAGAIN`, `EOF`, or `DATA <bytes>`.
    static let nonblockingRead = #"""
    import os, sys, errno
    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
    try:
        data = os.read(fd, 65536)
        print('DATA ' + repr(data) if data else 'EOF', flush=True)
    except OSError as error:
        print(errno.errorcode[error.errno], flush=True)
    os.close(fd)
    """#

    /// `sigint PATH`: starts `cat PATH` with an empty signal mask, waits until it is blocked in
    /// `read`, sends SIGINT and prints `blocked=<0|1> rc=<returncode> ms=<kill to exit>`.
    static let interruptCat = #"""
    import os, sys, time, signal, subprocess
    def unblock():
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
    READ = '63 ' if os.uname().machine == 'aarch64' else '0 '
    child = subprocess.Popen(['/bin/cat', sys.argv[1]], stdout=subprocess.DEVNULL, preexec_fn=unblock)
    blocked, deadline = False, time.monotonic() + 5
    while time.monotonic() < deadline and child.poll() is None:
        try:
            syscall = open('/proc/%d/syscall' % child.pid).read()
            state = open('/proc/%d/stat' % child.pid).read().rsplit(')', 1)[1].split()[0]
        except OSError:
            syscall, state = '', ''
        if syscall.startswith(READ) and state == 'S':
            blocked = True
            break
        time.sleep(0.002)
    time.sleep(0.05)
    start = time.monotonic()
    child.send_signal(signal.SIGINT)
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        print('blocked=%d rc=timeout ms=%.1f' % (blocked, (time.monotonic() - start) * 1000), flush=True)
        sys.exit(0)
    print('blocked=%d rc=%d ms=%.1f' % (blocked, child.returncode, (time.monotonic() - start) * 1000), flush=True)
    """#

    /// `eintr OUT CMD LINE`: a blocked read of OUT is interrupted by a caught SIGUSR1 (from a
    /// helper thread); the handler raises, so the read must fail with EINTR instead of being
    /// retried. Then LINE is written to CMD and the next read must return its reply. Prints
    /// `interrupted ms=<..>` and `next <line>`.
    static let caughtSignal = #"""
    import os, sys, time, signal, threading, select
    out, cmd, line = sys.argv[1], sys.argv[2], sys.argv[3]
    class Interrupted(Exception):
        pass
    def handler(signum, frame):
        raise Interrupted()
    signal.signal(signal.SIGUSR1, handler)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    fd = os.open(out, os.O_RDONLY)
    sent = [0.0]
    def shoot():
        time.sleep(0.3)
        sent[0] = time.monotonic()
        signal.pthread_kill(threading.main_thread().ident, signal.SIGUSR1)
    threading.Thread(target=shoot, daemon=True).start()
    try:
        data = os.read(fd, 65536)
        print('not interrupted, got', repr(data), flush=True)
        sys.exit(1)
    except Interrupted:
        print('interrupted ms=%.1f' % ((time.monotonic() - sent[0]) * 1000), flush=True)
    w = os.open(cmd, os.O_WRONLY)
    os.write(w, (line + '\n').encode())
    os.close(w)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    if not poller.poll(3000):
        print('no reply after the interrupt', flush=True)
        sys.exit(1)
    print('next ' + os.read(fd, 65536).decode().rstrip('\n'), flush=True)
    """#

    /// `pollask ASK LINE`: writes LINE to ASK, then polls it for POLLIN (5 s at most). Prints
    /// `woke=<revents & POLLIN> ms=<waited>`, `read <data>`.
    static let pollAsk = #"""
    import os, sys, time, select
    ask, line = sys.argv[1], sys.argv[2]
    fd = os.open(ask, os.O_RDWR)
    os.write(fd, (line + '\n').encode())
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    started = time.monotonic()
    events = poller.poll(5000)
    print('woke=%r ms=%.0f' % ([e & select.POLLIN for _, e in events], (time.monotonic() - started) * 1000), flush=True)
    print('read ' + os.read(fd, 65536).decode().rstrip('\n'), flush=True)
    """#

    /// `poll OUT CMD LINE`: poll on OUT reports nothing for 300 ms, then a thread writes LINE to
    /// CMD and poll must wake. Prints `idle=<revents>`, `woke=<revents> ms=<write to wake>`,
    /// `read <data>`.
    static let pollWakes = #"""
    import os, sys, time, select, threading
    out, cmd, line = sys.argv[1], sys.argv[2], sys.argv[3]
    fd = os.open(out, os.O_RDONLY)
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    print('idle=%r' % poller.poll(300), flush=True)
    written = [0.0]
    def writer():
        time.sleep(0.1)
        w = os.open(cmd, os.O_WRONLY)
        written[0] = time.monotonic()
        os.write(w, (line + '\n').encode())
        os.close(w)
    threading.Thread(target=writer).start()
    events = poller.poll(5000)
    woke = time.monotonic()
    print('woke=%r ms=%.1f' % ([e for _, e in events], (woke - written[0]) * 1000), flush=True)
    r, _, _ = select.select([fd], [], [], 0)
    print('select=%d' % len(r), flush=True)
    print('read ' + os.read(fd, 65536).decode().rstrip('\n'), flush=True)
    """#

    /// `rttmount CMD OUT N COMMAND`: N sequential `(<id>)COMMAND` lines written to CMD, each
    /// waited for until its reply (`(<id>)...`) can be read from OUT (opened first).
    /// Prints `ok=<count> median_us=<..> p90_us=<..>`.
    static let roundTripMount = #"""
    import os, sys, time, statistics
    cmd, out, n, command = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].encode()
    r = os.open(out, os.O_RDONLY)
    w = os.open(cmd, os.O_WRONLY)
    samples, ok, buffer = [], 0, b''
    for i in range(n):
        tag = b'(%d)' % (100000 + i)
        start = time.perf_counter()
        os.write(w, tag + command + b'\n')
        found = False
        while not found:
            while b'\n' in buffer:
                line, buffer = buffer.split(b'\n', 1)
                if line.startswith(tag):
                    found = True
                    break
            if found:
                break
            data = os.read(r, 65536)
            if not data:
                break
            buffer += data
        samples.append(time.perf_counter() - start)
        ok += found
    samples.sort()
    print('ok=%d median_us=%.1f p90_us=%.1f' % (ok, statistics.median(samples) * 1e6, samples[int(len(samples) * 0.9)] * 1e6), flush=True)
    """#

    /// `rttsocket SOCKET N COMMAND`: the same round trip over the unix socket, logged in with
    /// unix auth as root: `(<id>)COMMAND` sent, its reply line awaited.
    static let roundTripSocket = #"""
    import socket, sys, time, statistics
    path, n, command = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    buffer = b''
    def line_starting(prefix):
        global buffer
        while True:
            while b'\n' in buffer:
                line, buffer = buffer.split(b'\n', 1)
                if line.startswith(prefix):
                    return True
            data = s.recv(65536)
            if not data:
                return False
            buffer += data
    while len(buffer) < 32:
        buffer += s.recv(64)
    buffer = buffer[32:]
    s.sendall(b'select unix\nauth unix-root\n')
    if not line_starting(b'AUTH_TRUE'):
        print('login failed', flush=True)
        sys.exit(1)
    samples, ok = [], 0
    for i in range(n):
        tag = b'(%d)' % (100000 + i)
        start = time.perf_counter()
        s.sendall(tag + command + b'\n')
        ok += line_starting(tag + b'TRUE')
        samples.append(time.perf_counter() - start)
    samples.sort()
    print('ok=%d median_us=%.1f p90_us=%.1f' % (ok, statistics.median(samples) * 1e6, samples[int(len(samples) * 0.9)] * 1e6), flush=True)
    """#

    /// `refusals DIR`: tries what FILESYSTEM.md refuses with EPERM (create, unlink, rename,
    /// truncate to non-zero) and what it accepts (`O_TRUNC`, `O_APPEND`, truncate to zero) inside
    /// DIR (a zenka directory); prints `<operation> <ok|ERRNONAME>` per line.
    static let refusals = #"""
    import os, sys, errno
    d = sys.argv[1]
    def attempt(name, action):
        try:
            action()
            print(name, 'ok', flush=True)
        except OSError as error:
            print(name, errno.errorcode.get(error.errno, error.errno), flush=True)
    def write_with(flags):
        fd = os.open(d + '/cmd', os.O_WRONLY | flags)
        os.write(fd, b'heart\n')
        os.close(fd)
    attempt('create', lambda: os.close(os.open(d + '/new', os.O_WRONLY | os.O_CREAT, 0o644)))
    attempt('unlink', lambda: os.unlink(d + '/out'))
    attempt('rename', lambda: os.rename(d + '/out', d + '/out2'))
    attempt('truncate5', lambda: os.truncate(d + '/cmd', 5))
    attempt('truncate0', lambda: os.truncate(d + '/cmd', 0))
    attempt('trunc', lambda: write_with(os.O_TRUNC))
    attempt('append', lambda: write_with(os.O_APPEND))
    attempt('readcmd', lambda: os.close(os.open(d + '/cmd', os.O_RDONLY)))
    attempt('writeout', lambda: os.close(os.open(d + '/out', os.O_WRONLY)))
    """#

    /// `askwait ASK LINES...`: writes LINES to ASK (opened read-write), then reads until
    /// end-of-file or until a caught SIGALRM 600 ms later interrupts the read. Prints what was read
    /// (`got <repr>`) and `EOF` or `interrupted`.
    static let askWait = #"""
    import os, sys, signal
    fd = os.open(sys.argv[1], os.O_RDWR)
    os.write(fd, ''.join(line + '\n' for line in sys.argv[2:]).encode())
    class Alarm(Exception):
        pass
    def ring(signum, frame):
        raise Alarm()
    signal.signal(signal.SIGALRM, ring)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.setitimer(signal.ITIMER_REAL, 0.6)
    got, end = b'', 'EOF'
    try:
        while True:
            data = os.read(fd, 65536)
            if not data:
                break
            got += data
    except Alarm:
        end = 'interrupted'
    signal.setitimer(signal.ITIMER_REAL, 0)
    print('got ' + repr(got.decode()), flush=True)
    print(end, flush=True)
    """#
}
