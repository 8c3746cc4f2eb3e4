import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real cube that mounts the network at a fresh directory (`cube run --mount DIR`).
///
/// The test process never touches the mount itself (no FileManager, no open/stat on it): a
/// process that uses a FUSE mount served next to it can deadlock. Everything that enters the
/// mount runs in a child process (``MountChild``). Mount state is read from
/// `/proc/self/mountinfo` only. ``cleanup()`` (also run by `deinit`) stops the cube and removes
/// whatever is still mounted, so every test unmounts on every path.
final class MountedCube: @unchecked Sendable {
    let mountPoint: String
    let cube: CubeProcess
    private var cleanedUp = false

    /// Starts a cube mounting at `mountPoint` (a new directory under /tmp if nil) and waits until
    /// the mount is in the mount table. With `stale`, a killed cube left a dead mount there that
    /// the new cube must clear: then the wait is until `ls` in a child succeeds (a dead mount
    /// answers ENOTCONN at once, so this never hangs) and lists the live mount's `zenki`.
    init(allowOther: Bool = false, mountPoint: String? = nil, stale: Bool = false, extraConfiguration: String = "") throws {
        let point = mountPoint ?? "/tmp/p7mnt-\(UUID().uuidString.prefix(8))"
        mkdir(point, 0o755)
        self.mountPoint = point
        cube = try CubeProcess(extraConfiguration: extraConfiguration,
                               arguments: ["--mount", point] + (allowOther ? ["--allow-other"] : []))
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && cube.process.isRunning {
            // With `stale`, `ls` must list the live mount's `zenki`: between the cube clearing the
            // dead mount and mounting its own, `ls` succeeds on the bare directory underneath.
            if !MountInfo.entries(at: point).isEmpty
                && (!stale || MountChild.run(["/bin/ls", point], timeout: 3).lines.contains("zenki")) { return }
            usleep(stale ? 20_000 : 5_000)
        }
        cleanup()
        throw LiveTestError.timeout("cube did not mount \(point): \(cube.standardError())")
    }

    /// `mountPoint` joined with a relative path inside the mount (for child processes only).
    func path(_ relative: String = "") -> String {
        relative.isEmpty ? mountPoint : mountPoint + "/" + relative
    }

    /// Whether anything is mounted at the mount point.
    var isMounted: Bool { !MountInfo.entries(at: mountPoint).isEmpty }

    /// Stops the cube (SIGTERM) and removes anything still mounted. Idempotent.
    func cleanup() {
        if cleanedUp { return }
        cleanedUp = true
        if cube.process.isRunning { cube.stop(signal: SIGTERM, seconds: 5) }
        MountInfo.forceUnmount(mountPoint)
        if !isMounted { rmdir(mountPoint) }
    }

    deinit { cleanup() }
}

/// Reads `/proc/self/mountinfo` (never the mount point itself).
enum MountInfo {
    struct Entry: Equatable {
        var id: Int
        var mountPoint: String
        var fileSystemType: String
    }

    static func entries(at path: String) -> [Entry] {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> Entry? in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count >= 10, let id = Int(fields[0]), let dash = fields.firstIndex(of: "-"),
                  dash + 1 < fields.count else { return nil }
            let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            return Entry(id: id, mountPoint: point, fileSystemType: String(fields[dash + 1]))
        }.filter { $0.mountPoint == path }
    }

    /// Removes every mount at `path`: `fusermount3 -u`, then lazy variants.
    static func forceUnmount(_ path: String) {
        for attempt in [["/usr/bin/fusermount3", "-u", "-q", path], ["/usr/bin/fusermount3", "-u", "-q", "-z", path],
                        ["/bin/umount", "-l", path]] {
            if entries(at: path).isEmpty { return }
            _ = MountChild.run(attempt, timeout: 5)
        }
    }
}

/// A child process that drives the mount; output goes to temporary files (no pipe can fill up).
final class MountChild: @unchecked Sendable {
    struct Outcome: CustomStringConvertible {
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var output: String
        var errors: String
        var seconds: Double

        var succeeded: Bool { !timedOut && !signalled && status == 0 }
        var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
        var description: String {
            "status \(status)\(signalled ? " (signal)" : "")\(timedOut ? " TIMED OUT" : "") after \(String(format: "%.3f", seconds)) s; "
                + "stdout: \(output.debugDescription) stderr: \(errors.debugDescription)"
        }
    }

    static let python = "/usr/bin/python3"

    let process = Process()
    private let outputPath: String
    private let errorPath: String
    private let started = Date()

    /// Starts `arguments` (the first is the executable's absolute path).
    init(_ arguments: [String]) {
        let base = NSTemporaryDirectory() + "p7mount-child-\(UUID().uuidString.prefix(8))"
        outputPath = base + ".out"
        errorPath = base + ".err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = FileHandle(forWritingAtPath: outputPath)
        let errors = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { try? "spawn failed: \(error)".write(toFile: errorPath, atomically: false, encoding: .utf8) }
        ChildOutput.closeParentCopies(output, errors)
    }

    /// `/bin/sh -c script`.
    static func shell(_ script: String) -> MountChild { MountChild(["/bin/sh", "-c", script]) }

    /// `python3 -I -c script arguments...` (isolated: readable by any user, no site packages).
    static func python(_ script: String, _ arguments: [String] = [], asUser user: MountUser? = nil) -> MountChild {
        let command = [python, "-I", "-c", script] + arguments
        return MountChild((user?.prefix ?? []) + command)
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// What the child wrote to stdout so far.
    var outputSoFar: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits at most `timeout` seconds; kills the child (SIGKILL) if it is still running.
    func wait(timeout: Double = 5) -> Outcome {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(1_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            let grace = Date().addingTimeInterval(3)
            while process.isRunning && Date() < grace { usleep(2_000) }
        }
        let running = process.isRunning
        let outcome = Outcome(
            status: running ? -1 : process.terminationStatus,
            signalled: running ? false : process.terminationReason == .uncaughtSignal,
            timedOut: timedOut,
            output: (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "",
            errors: (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "",
            seconds: Date().timeIntervalSince(started))
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
        return outcome
    }

    /// Runs to completion (killed after `timeout` seconds).
    static func run(_ arguments: [String], timeout: Double = 5) -> Outcome {
        MountChild(arguments).wait(timeout: timeout)
    }

    /// `sh -c script` to completion.
    static func sh(_ script: String, timeout: Double = 5) -> Outcome { shell(script).wait(timeout: timeout) }

    /// A python3 script to completion.
    static func py(_ script: String, _ arguments: [String] = [], asUser user: MountUser? = nil, timeout: Double = 10) -> Outcome {
        python(script, arguments, asUser: user).wait(timeout: timeout)
    }

    /// `read(2)`'s number as `/proc/<pid>/syscall` shows it.
    #if arch(arm64)
    static let readSyscall = "63 "
    #else
    static let readSyscall = "0 "
    #endif

    /// Waits until the child sleeps in `read(2)` (e.g. a `cat out` parked by the mount).
    func waitUntilBlockedInRead(timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && process.isRunning {
            let syscall = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8)) ?? ""
            let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            if syscall.hasPrefix(Self.readSyscall), state == "S" { return true }
            usleep(2_000)
        }
        return false
    }

    /// Waits until stdout contains `text`.
    func waitForOutput(_ text: String, timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if outputSoFar.contains(text) { return true }
            if !process.isRunning { return outputSoFar.contains(text) }
            usleep(2_000)
        }
        return false
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A second unix user (created with `useradd` if absent) to run children as.
struct MountUser {
    let name: String
    let uid: UInt32
    let gid: UInt32

    /// `setpriv` prefix that runs a command as this user with no supplementary groups.
    var prefix: [String] { ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups"] }

    static func ensure(_ name: String = "p7fsuser") throws -> MountUser {
        if getpwnam(name) == nil {
            let made = MountChild.run(["/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
            guard made.succeeded || getpwnam(name) != nil else { throw LiveTestError.timeout("useradd \(name): \(made)") }
        }
        guard let entry = getpwnam(name) else { throw LiveTestError.timeout("no user \(name)") }
        return MountUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}

/// Polls `condition` every few milliseconds; returns the seconds it took, or nil on timeout.
func mountWait(timeout: Double, _ condition: () -> Bool) -> Double? {
    let start = Date()
    while Date().timeIntervalSince(start) < timeout {
        if condition() { return Date().timeIntervalSince(start) }
        usleep(5_000)
    }
    return condition() ? Date().timeIntervalSince(start) : nil
}

/// Shell-quotes one word.
func shq(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

// MARK: - Driving the mount from child processes

extension MountedCube {
    /// `/bin/ls PATH` (one name per line, stdout is not a terminal).
    func ls(_ relative: String = "", asUser user: MountUser? = nil) -> MountChild.Outcome {
        MountChild.run((user?.prefix ?? []) + ["/bin/ls", path(relative)])
    }

    /// The names `ls` shows (empty if ls failed).
    func names(_ relative: String = "") -> [String] {
        let listing = ls(relative)
        return listing.succeeded ? listing.lines : []
    }

    /// `/bin/cat PATH` (killed after `timeout`).
    func cat(_ relative: String, timeout: Double = 5) -> MountChild.Outcome {
        MountChild.run(["/bin/cat", path(relative)], timeout: timeout)
    }

    /// `sh -c 'echo LINE > PATH'`.
    func echo(_ line: String, to relative: String) -> MountChild.Outcome {
        MountChild.sh("echo \(shq(line)) > \(shq(path(relative)))")
    }

    /// ``MountScripts/write`` on `relative`.
    func write(_ relative: String, _ steps: [String], asUser user: MountUser? = nil) -> MountChild.Outcome {
        MountChild.py(MountScripts.write, [path(relative)] + steps, asUser: user)
    }

    /// Starts ``MountScripts/read`` on `relative` in the background; `ready` is created once it has
    /// the file open.
    func reader(_ relative: String, count: Int, pattern: String = "-", timeout: Double = 5, ready: String? = nil,
                asUser user: MountUser? = nil) -> MountChild {
        MountChild.python(MountScripts.read, [path(relative), String(count), String(timeout), pattern, ready ?? "-"],
                          asUser: user)
    }

    /// Reads `relative` until `count` lines containing `pattern` arrived.
    func readLines(_ relative: String, count: Int = 1, pattern: String = "-", timeout: Double = 3,
                   asUser user: MountUser? = nil) -> MountChild.Outcome {
        reader(relative, count: count, pattern: pattern, timeout: timeout, asUser: user).wait(timeout: timeout + 3)
    }

    /// Seconds until `zenki/` lists (or no longer lists) `name`, nil if not within `timeout`.
    func waitListed(_ name: String, present: Bool = true, timeout: Double = 3) -> Double? {
        mountWait(timeout: timeout) { names("zenki").contains(name) == present }
    }
}

/// A fresh path for a flag file (outside the mount) that children and the test use to take turns.
func mountFlag() -> String { NSTemporaryDirectory() + "p7flag-\(UUID().uuidString.prefix(8))" }

func flagExists(_ path: String) -> Bool { access(path, F_OK) == 0 }

func raiseFlag(_ path: String) { _ = FileManager.default.createFile(atPath: path, contents: nil) }

/// Waits until a child created `path`.
func waitForFlag(_ path: String, timeout: Double = 5) -> Bool { mountWait(timeout: timeout) { flagExists(path) } != nil }
