import Foundation
import Glibc

/// A child process started with `posix_spawn` (no `fork` in Swift, and no Foundation `Process`,
/// whose children inherit a blocked SIGTERM). Its stdout and stderr go to temporary files.
final class Spawned: Sendable {
    struct Exit: Sendable {
        /// Exit code, if it exited normally.
        var code: Int32?
        /// Terminating signal, if it was killed.
        var signal: Int32?
        /// When `waitpid` reaped it.
        var reapedAt: ContinuousClock.Instant
        /// Whether the test had to kill it after the timeout.
        var timedOut: Bool
    }

    let pid: pid_t
    private let outputPath: String
    private let errorPath: String

    init(_ arguments: [String]) throws {
        let stem = NSTemporaryDirectory() + "cubefuse-child-\(UUID().uuidString)"
        outputPath = stem + ".out"
        errorPath = stem + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        guard let program = argv[0] else { throw POSIXError(.EINVAL) }
        let result = posix_spawnp(&pid, program, &actions, &attributes, &argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
    }

    /// Runs a command to completion (off the concurrency pool) and returns its exit and stdout.
    static func run(_ arguments: [String], timeout: Duration = .seconds(5)) async throws -> (Exit, String) {
        let child = try Spawned(arguments)
        let exit = await child.wait(timeout: timeout)
        return (exit, child.output)
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Waits on a dedicated thread; kills the child with SIGKILL after `timeout`.
    func wait(timeout: Duration) async -> Exit {
        let pid = self.pid
        return await offPool {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            var status: Int32 = 0
            var timedOut = false
            while waitpid(pid, &status, WNOHANG) == 0 {
                if clock.now > deadline {
                    // A reader stuck in an uninterruptible FUSE wait survives SIGKILL: give up after
                    // another second instead of hanging the suite (unmount will free it).
                    timedOut = true
                    kill(pid, SIGKILL)
                    let killDeadline = clock.now.advanced(by: .seconds(1))
                    while waitpid(pid, &status, WNOHANG) == 0 && clock.now < killDeadline { usleep(1_000) }
                    break
                }
                usleep(500)
            }
            let reapedAt = clock.now
            let signal = status & 0x7f
            return Exit(
                code: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
                reapedAt: reapedAt, timedOut: timedOut)
        }
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var errorOutput: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    deinit {
        unlink(outputPath)
        unlink(errorPath)
    }
}

/// Runs blocking work on a new thread so the 2-thread concurrency pool never blocks.
func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// Polls `condition` every 5 ms until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(2), _ condition: @Sendable () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
