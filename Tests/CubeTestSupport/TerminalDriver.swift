import Foundation

/// Runs a program in a real pseudo-terminal (python3's `pty` module) and plays a script
/// against it: `s:` types text, `e:` waits up to 20 s for text in its output, `w:` sleeps
/// seconds. Escapes such as `\t`, `\r`, `\x03` are decoded in both. The driver stops at the
/// first text that does not come and exits 1; after the script it waits up to 20 s for the
/// program's end.
public enum TerminalDriver {
    public static let script = #"""
        import os, pty, select, signal, sys, time
        program = sys.argv[1]
        arguments = [a for a in sys.argv[2].split('\x1f') if a]
        steps = sys.argv[3:]
        pid, fd = pty.fork()
        if pid == 0:
            # The test process may block or ignore signals; the program gets a clean start.
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.environ['TERM'] = 'xterm'
            os.execv(program, [program] + arguments)
        buffer = b''
        def fail(message):
            sys.stdout.write('\n[driver] ' + message + '\n[driver] unread: %r\n' % buffer)
            sys.stdout.flush()
            os.kill(pid, 9)
            os._exit(1)
        def expect(pattern, timeout=20.0):
            global buffer
            end = time.time() + timeout
            while pattern not in buffer:
                left = end - time.time()
                if left <= 0: fail('timed out waiting for %r' % pattern)
                ready, _, _ = select.select([fd], [], [], left)
                if not ready: continue
                try: data = os.read(fd, 4096)
                except OSError: data = b''
                if not data: fail('end of output waiting for %r' % pattern)
                buffer += data
            cut = buffer.index(pattern) + len(pattern)
            sys.stdout.write(buffer[:cut].decode('utf-8', 'replace'))
            buffer = buffer[cut:]
        for step in steps:
            kind, text = step[0], step[2:].encode('utf-8').decode('unicode_escape').encode('latin-1')
            if kind == 's': os.write(fd, text)
            elif kind == 'e': expect(text)
            elif kind == 'w': time.sleep(float(text))
            else: fail('bad step %r' % step)
        end = time.time() + 20
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done: break
            if time.time() > end: fail('the program did not exit')
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try: buffer += os.read(fd, 4096)
                except OSError: time.sleep(0.05)
        sys.stdout.write('\n[driver] exit %d\n' % os.waitstatus_to_exitcode(status))
        """#

    /// Plays `steps` against `program arguments` in a pseudo-terminal.
    /// - Returns: the driver's exit status (0: every expected text came) and the transcript.
    public static func run(_ program: String, _ arguments: [String], steps: [String],
                    environment: [String: String] = [:]) throws -> (status: Int32, transcript: String) {
        let run = try ExecutableRun.run("/usr/bin/python3", ["-c", script, program, arguments.joined(separator: "\u{1F}")] + steps,
                                        environment: environment)
        return (run.status, run.stdout + run.stderr)
    }
}
