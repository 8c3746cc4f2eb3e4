import CCubeSystem
import CubeRuntime
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A process started by the manager in a session (and process group) of its own, so stopping
/// it stops everything it started. Its stdout and stderr are read by dedicated threads.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    /// Write end of the child's stdin (stdio zenki), or -1.
    let input: Int32
    private let writer: DispatchQueue
    private let pendingInput = NSLock()
    /// Set (on ``writer``) once ``input`` is closed.
    private var inputClosed = false
    private var queuedBytes = 0

    /// What to run.
    struct Launch {
        var program: String
        var arguments: [String]
        var environment: [String: String]
        var directory: String
        /// Connect stdin and stdout to the cube (stdio zenki) instead of /dev/null and the log.
        var stdio: Bool
    }

    /// Starts `launch`; `onLine` gets each stderr line and, unless stdio, each stdout line;
    /// `onStdout` the raw stdout bytes (stdio only, an empty chunk at the end); `onExit` the
    /// wait status once. Each runs on a thread of its own.
    init(_ launch: Launch, onStdout: @escaping @Sendable ([UInt8]) -> Void, onLine: @escaping @Sendable (String) -> Void,
         onExit: @escaping @Sendable (Int32) -> Void) throws {
        var stdinPipe: [Int32] = [-1, -1]
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard CCubeSystem_pipe_cloexec(&stdoutPipe) == 0, CCubeSystem_pipe_cloexec(&stderrPipe) == 0 else { throw ManagerError.spawn(errno) }
        if launch.stdio { guard CCubeSystem_pipe_cloexec(&stdinPipe) == 0 else { throw ManagerError.spawn(errno) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if launch.stdio {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        // Nothing else of the cube's may leak into a zenka: not every descriptor is
        // close-on-exec (listeners, accepted sessions, links), and a child holding a copy keeps
        // a killed cube's sockets open: the port stays bound and linked nodes never see the
        // link drop.
        CCubeSystem_spawn_addclosefrom(&actions, 3)
        CCubeSystem_spawn_addchdir(&actions, launch.directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session, so the whole process group can be signalled at stop.
        CCubeSystem_spawnattr_own_session(&attributes)
        let argv = ([launch.program] + launch.arguments).map { strdup($0) } + [nil]
        let envp = launch.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawnp(&child, launch.program, &actions, &attributes, argv, envp)
        close(stdoutPipe[1])
        close(stderrPipe[1])
        if launch.stdio { close(stdinPipe[0]) }
        guard status == 0 else {
            [stdoutPipe[0], stderrPipe[0], stdinPipe[1]].filter { $0 >= 0 }.forEach { close($0) }
            throw ManagerError.start(program: launch.program, code: status)
        }
        let spawned = child
        DescriptorLimit.restoreInherited(in: spawned)
        pid = spawned
        input = launch.stdio ? stdinPipe[1] : -1
        writer = DispatchQueue(label: "zenka-stdin-\(spawned)")
        let stdio = launch.stdio
        let outputEnded = DispatchSemaphore(value: 0)
        if stdio {
            Self.reader(stdoutPipe[0], name: "zenka-out-\(spawned)", ended: outputEnded, onStdout)
        } else {
            Self.lineReader(stdoutPipe[0], name: "zenka-out-\(spawned)", ended: outputEnded, onLine)
        }
        Self.lineReader(stderrPipe[0], name: "zenka-err-\(spawned)", ended: nil, onLine)
        let waiter = Thread {
            var status: Int32 = 0
            while waitpid(spawned, &status, 0) < 0 && errno == EINTR {}
            self.closeInput()
            // What the child wrote last is handed over before its exit: a stdio zenka that
            // answers and exits had its last replies dropped when the exit won the race with
            // the reader (`route collapsed` for a command it had answered; a hostile
            // tester's finding). Bounded: a helper it left behind may hold stdout open.
            _ = outputEnded.wait(timeout: .now() + Self.outputGrace)
            onExit(status)
        }
        waiter.name = "zenka-wait-\(spawned)"
        waiter.start()
    }

    /// Queues bytes for the child's stdin without blocking the caller; false if the child
    /// stopped reading and more than `limit` bytes are waiting.
    func write(_ bytes: [UInt8], limit: Int) -> Bool {
        guard input >= 0 else { return false }
        pendingInput.lock()
        let overflowing = queuedBytes + bytes.count > limit
        if !overflowing { queuedBytes += bytes.count }
        pendingInput.unlock()
        guard !overflowing else { return false }
        writer.async { [self] in
            // A closed descriptor's number may already belong to another file.
            var offset = inputClosed ? bytes.count : 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }
                offset += written
            }
            pendingInput.lock()
            queuedBytes -= bytes.count
            pendingInput.unlock()
        }
        return true
    }

    /// Closes the child's stdin (a stdio zenka sees end-of-file). Idempotent: called at a stop
    /// and again when the child ends, so a child that exits by itself does not leave it open
    /// (one descriptor per restart of a crashing zenka, found by a hostile second reader).
    func closeInput() {
        guard input >= 0 else { return }
        writer.async { [self] in
            guard !inputClosed else { return }
            inputClosed = true
            close(input)
        }
    }

    /// Sends `signal` to the child's whole process group.
    func signalGroup(_ signal: Int32) {
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// How long the exit waits for the end of the child's stdout (its last output, already
    /// in the pipe, is read within microseconds; only a helper holding the pipe makes it wait).
    static let outputGrace: DispatchTimeInterval = .milliseconds(250)

    /// Reads `fd` until its end, hands each chunk over, then an empty one; signals `ended` last.
    private static func reader(_ fd: Int32, name: String, ended: DispatchSemaphore?,
                               _ deliver: @escaping @Sendable ([UInt8]) -> Void) {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                deliver(Array(buffer[0..<count]))
            }
            deliver([])  // end of output: lets a line buffer flush its last, unterminated line
            close(fd)
            ended?.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Reads `fd` and hands over whole lines (a line split across reads stays one line; an
    /// endless line is cut at 64 KiB so a chatty child cannot grow the buffer without bound).
    private static func lineReader(_ fd: Int32, name: String, ended: DispatchSemaphore?,
                                   _ deliver: @escaping @Sendable (String) -> Void) {
        let pending = LineBuffer()
        reader(fd, name: name, ended: ended) { bytes in pending.add(bytes).forEach(deliver) }
    }
}

/// Accumulates bytes into lines for ``ChildProcess``; used by one reader thread only.
private final class LineBuffer: @unchecked Sendable {
    private var bytes: [UInt8] = []

    /// Complete lines from `chunk`; an empty chunk (end of output) also returns the rest.
    func add(_ chunk: [UInt8]) -> [String] {
        if chunk.isEmpty {
            defer { bytes.removeAll() }
            return bytes.isEmpty ? [] : [String(decoding: bytes, as: UTF8.self)]
        }
        bytes += chunk
        var lines: [String] = []
        while let lf = bytes.firstIndex(of: 0x0A) {
            lines.append(String(decoding: bytes[..<lf], as: UTF8.self))
            bytes.removeFirst(lf + 1)
        }
        if bytes.count > 65536 {
            lines.append(String(decoding: bytes, as: UTF8.self))
            bytes.removeAll()
        }
        return lines
    }
}

/// Why the manager could not do something.
enum ManagerError: Error, CustomStringConvertible {
    case spawn(Int32)
    /// `posix_spawnp` refused the program: named, so a missing `zenka` next to an installed
    /// `cube` (issue 17) or a typo in `program` is found from the log line alone.
    case start(program: String, code: Int32)

    var description: String {
        switch self {
        case .spawn(let code): "cannot start process: \(String(cString: strerror(code)))"
        case .start(let program, let code): "cannot start \(program): \(String(cString: strerror(code)))"
        }
    }
}
