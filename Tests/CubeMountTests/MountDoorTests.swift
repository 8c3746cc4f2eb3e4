@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Foundation
import Logging
import Synchronization
import Testing

/// The mount's door to the router, with the mount served for real (an in-process hub and
/// ``NetworkFileSystem`` under a FUSE mount, driven by child processes).
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct MountDoorTests {
    /// The writer's session closes between the mount looking it up and submitting the command
    /// (a `term-all` from another session lands in that window). Before the door, the command's
    /// pending entry was filed for the dead session and never answered, and an `ask` reader
    /// waited until it closed the file; now the command goes on a fresh session and is answered.
    @Test func aSessionClosedBetweenLookupAndSubmitLosesNoCommand() throws {
        try withMountedHub { hub, fileSystem, path in
            let admin = hub.connectLocal(Sink(), user: "root", transport: .local("test"))
            // Opens the writer's session first, so the next write finds it and the hook can close it.
            #expect(run("exec 3<>\(path)/ask; echo whoami >&3; cat <&3").output.contains("TRUE unix-root"))
            let closed = Mutex<[SessionID]>([])
            fileSystem.beforeSubmit.withLock { hook in
                hook = { session in
                    // Only once: the retry on a fresh session must go through.
                    let first = closed.withLock { list in
                        defer { list.append(session) }
                        return list.isEmpty
                    }
                    if first { hub.received(Array("term-all \(session)\n".utf8), from: admin) }
                }
            }
            let asked = run("exec 3<>\(path)/ask; echo '(5)heart' >&3; cat <&3")
            #expect(asked.status == 0, "ask never ended: \(asked)")
            #expect(asked.output == "(5)TRUE beating\n", "\(asked)")
            let sessions = closed.withLock { $0 }
            #expect(sessions.count == 2 && sessions[0] != sessions[1], "\(sessions)")
            #expect(fileSystem.state.withLock { $0.pending.isEmpty })
        }
    }

    /// Replies come back typed: a local command's `SIZE` body, a refusal's errno and its FALSE
    /// line in `out`, through the same door.
    @Test func refusalsGiveTheirErrnoAndLocalRepliesTheirBody() throws {
        try withMountedHub { _, _, path in
            let listed = run("exec 3<>\(path)/ask; echo '(3)list sessions' >&3; cat <&3")
            #expect(listed.status == 0 && listed.output.hasPrefix("(3)SIZE "), "\(listed)")
            // bash, whose echo names the errno (dash's says only "I/O error").
            let missing = run("exec /bin/bash -c \"echo '(4)nosuch.heart' > \(path)/cmd\"")
            #expect(missing.status != 0 && missing.errors.contains("No such file"), "\(missing)")
            let out = run("timeout -s KILL 3 grep -m 1 -F '(4)' \(path)/out")
            #expect(out.output == "(4)FALSE client not present\n", "\(out)")
        }
    }
}

/// An in-process hub whose network is mounted at a fresh directory: `body` gets the hub, the
/// file system and the mount point; the mount is removed on every path.
func withMountedHub(_ body: (Hub, NetworkFileSystem, String) throws -> Void) throws {
    let hub = try makeHub()
    let logger = Logger(label: "door-test")
    let path = NSTemporaryDirectory() + "cube-door-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let fileSystem = NetworkFileSystem(hub: hub, mountPoint: path, logger: logger)
    let mount = try FUSEMount(fileSystem: fileSystem, at: path, options: MountOptions(drainTimeout: .milliseconds(250)),
                              logger: logger)
    defer {
        fileSystem.shutdown()
        mount.unmount()
        #expect(!FUSEMount.isMounted(at: path))
    }
    fileSystem.attach(mount.notifier)
    try body(hub, fileSystem, path)
}

/// A hub on a configuration that lets every user run everything, plus `settings` (lines).
func makeHub(_ settings: String = "") throws -> Hub {
    let text = "access.cmd.usr.* = **\nnode.name = doortest\n" + settings
    let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
    return Hub(configuration: configuration, hasher: PlainHasher(), seed: 7, utcOffset: 0,
               delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "door-test"))
}

/// A shell command run under `timeout -s KILL 5`: its exit status, stdout and stderr.
func run(_ script: String) -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = ["-s", "KILL", "5", "/bin/sh", "-c", script]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do { try process.run() } catch { return (-1, "", "\(error)") }
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
}

/// Keys are their own digest (no zenka logs in here).
struct PlainHasher: KeyHasher {
    func digest(_ key: [UInt8]) -> [UInt8] { key }
}

/// An endpoint that drops what it is sent (the admin session's replies are not looked at).
final class Sink: SessionEndpoint {
    func send(_ bytes: [UInt8]) {}
    func close() {}
}
