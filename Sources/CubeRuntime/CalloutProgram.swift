import CCubeSystem
import CubeCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs the `callout` checker program for one credential (docs/protocol.md §3.7,
/// docs/security.md "Callout").
///
/// The contract: the cube runs `<program> <user>` with the credential and one LF on stdin,
/// then end of file; the environment holds only `PATH` and `P7_AUTH_USER`; stdout and
/// stderr go to /dev/null (a program might echo the credential into the log). Exit status 0
/// accepts, 1 refuses; any other status, a signal, or no exit within the timeout refuses too
/// and is logged as the program's failure. The program runs in a session of its own, with
/// no descriptor of the cube's but its stdin, and on timeout its whole process group is killed.
/// The credential is never in argv, the environment or a log line.
package enum CalloutProgram {
    /// The checker the hub runs `callout` checks with, `width` at once.
    package static func checker(width: Int) -> CredentialChecker {
        CredentialChecker(width: width) { check in run(check) }
    }

    /// Runs one check to its end (blocks: called on a worker thread).
    package static func run(_ check: CredentialCheck) -> CheckVerdict {
        var sockets: [Int32] = [-1, -1]
        // A socket, not a pipe, for stdin: `send` with MSG_NOSIGNAL cannot raise SIGPIPE in
        // the cube when the program exits without reading.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &sockets) == 0 else {
            return .refused(reason: "callout program not started: \(String(cString: strerror(errno)))")
        }
        defer { close(sockets[0]) }
        let spawned = spawn(check.reference, user: check.user, stdin: sockets[1])
        close(sockets[1])
        guard spawned.error == 0 else {
            return .refused(reason: "callout program not started: \(String(cString: strerror(spawned.error)))")
        }
        write(check.secret + [Wire.lf], to: sockets[0])
        shutdown(sockets[0], Int32(SHUT_WR))
        let seconds = max(1, check.timeoutSeconds ?? 5)
        switch wait(for: spawned.pid, nanoseconds: UInt64(seconds) * 1_000_000_000) {
        case .exited(let status): return verdict(status)
        case .timedOut: return .refused(reason: "callout program timed out after \(seconds) s")
        case .lost: return .refused(reason: "callout program lost (wait failed)")
        }
    }

    /// How waiting for the program ended.
    private enum Ending {
        case exited(Int32)
        /// Killed with its process group after the timeout.
        case timedOut
        /// Its status could not be read; counted as a refusal, never as an acceptance.
        case lost
    }

    /// What a wait status means (exit 0 accepts, 1 refuses, anything else is a failure).
    static func verdict(_ status: Int32) -> CheckVerdict {
        let signal = status & 0x7F
        guard signal == 0 else { return .refused(reason: "callout program killed by signal \(signal)") }
        switch (status >> 8) & 0xFF {
        case 0: return .accepted
        case 1: return .refused(reason: "refused by the callout program")
        case let code: return .refused(reason: "callout program failed (exit status \(code))")
        }
    }

    /// Starts the program; `error` is 0 or the `posix_spawn` error.
    private static func spawn(_ program: String, user: String, stdin: Int32) -> (pid: pid_t, error: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // None of the cube's sockets or files may leak into the program.
        CCubeSystem_spawn_addclosefrom(&actions, 3)
        CCubeSystem_spawn_addchdir(&actions, "/")
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A session of its own, so a timeout kills whatever the program started as well.
        CCubeSystem_spawnattr_own_session(&attributes)
        let arguments: [String] = [program, user]
        let environment: [String] = ["PATH=/usr/local/bin:/usr/bin:/bin", "P7_AUTH_USER=\(user)"]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        if status == 0 { DescriptorLimit.restoreInherited(in: pid) }
        return (pid, status)
    }

    /// Sends all of `bytes` (a credential is at most `limits.line.pre-auth` bytes, far below
    /// a socket buffer, so this does not wait for the program to read).
    private static func write(_ bytes: [UInt8], to socket: Int32) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// The wait status of `pid` once it exits, or `timedOut` after killing its process group
    /// when it did not exit within `nanoseconds`.
    private static func wait(for pid: pid_t, nanoseconds: UInt64) -> Ending {
        let start = monotonic()
        var pause: UInt32 = 1_000
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return .exited(status) }
            if done < 0 && errno != EINTR { return .lost }
            if monotonic() &- start >= nanoseconds {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .timedOut
            }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    private static func monotonic() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
