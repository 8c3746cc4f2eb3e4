@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeNet
import CubeRuntime
import Foundation
import Logging
import Synchronization
import Testing

/// The mount served from an event loop of the cube (``FUSELoopSource``), as `cube run`
/// serves it: requests are handled on that loop, parked reads, interrupts and every way of
/// ending work as on the mount's own thread (docs/architecture.md "Threads").
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct LoopServedMountTests {
    /// A write to `cmd` is handled on the loop (where the command is submitted to the hub), and
    /// a reply reaches `ask`, a parked read of `out` and the writer.
    @Test func writesAreHandledOnTheLoopAndRepliesReachParkedReads() throws {
        let network = NetworkLoop(threads: 1)
        defer { Task { await network.shutdown() } }
        let onLoop = Mutex<[Bool]>([])
        try withLoopServedHub(network) { _, fileSystem, path, _ in
            let loop = network.loops[0]
            fileSystem.beforeSubmit.withLock { hook in
                hook = { _ in onLoop.withLock { $0.append(loop.inEventLoop) } }
            }
            let asked = run("exec 3<>\(path)/ask; echo '(5)heart' >&3; cat <&3")
            #expect(asked.status == 0 && asked.output == "(5)TRUE beating\n", "\(asked)")
            // `cat out` parks until the reply to the command written after it started.
            let parked = run("""
                timeout -s KILL 3 grep -m 1 -F '(6)' \(path)/out & sleep 0.3; echo '(6)heart' > \(path)/cmd; wait
                """)
            #expect(parked.output == "(6)TRUE beating\n", "\(parked)")
        }
        let threads = onLoop.withLock { $0 }
        #expect(threads.count == 2 && threads.allSatisfy { $0 }, "handled on the loop: \(threads)")
    }

    /// Several requests outstanding at once: two readers parked on `out` and an `ask` reader
    /// waiting while another process writes; the loop serves each in turn and answers all.
    @Test func manyOutstandingRequestsAreAllAnswered() throws {
        let network = NetworkLoop(threads: 1)
        defer { Task { await network.shutdown() } }
        try withLoopServedHub(network) { _, _, path, _ in
            let result = run("""
                d=$(mktemp -d); g() { timeout -s KILL 3 grep -m 1 -F '(9)' \(path)/out; }
                g > $d/a & g > $d/b &
                (exec 3<>\(path)/ask; echo '(8)heart' >&3; cat <&3) > $d/c &
                sleep 0.3; echo '(9)heart' > \(path)/cmd; wait
                cat $d/a $d/b $d/c; rm -r $d
                """)
            #expect(result.output == "(9)TRUE beating\n(9)TRUE beating\n(8)TRUE beating\n", "\(result)")
        }
    }

    /// Ctrl-C on a reader parked on `out` answers its read `EINTR` from the loop (the reader ends
    /// at once), and a reader parked at unmount gets end of file.
    @Test func parkedReadsEndByInterruptAndAtUnmount() throws {
        let network = NetworkLoop(threads: 1)
        defer { Task { await network.shutdown() } }
        try withLoopServedHub(network) { _, _, path, _ in
            let started = ContinuousClock.now
            let interrupted = run("timeout -s INT 0.5 cat \(path)/out")
            #expect(interrupted.status == 124, "\(interrupted)")
            #expect(ContinuousClock.now - started < .seconds(3))
        }
        let path = NSTemporaryDirectory() + "cube-loop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        reader.arguments = ["-s", "KILL", "5", "cat", "\(path)/out"]
        try withLoopServedHub(network, at: path) { _, _, _, _ in
            try reader.run()
            usleep(300_000)
        }
        reader.waitUntilExit()
        #expect(reader.terminationStatus == 0, "the parked reader got end of file at unmount")
    }

    /// `fusermount3 -u` from outside ends serving (the read of `/dev/fuse` fails, the channel
    /// closes), and the unmount that follows releases the session cleanly.
    @Test func anUnmountFromOutsideEndsServing() throws {
        let network = NetworkLoop(threads: 1)
        defer { Task { await network.shutdown() } }
        let exits = Atomic<Int>(0)
        try withLoopServedHub(network, onLoopExit: { exits.add(1, ordering: .relaxed) }) { _, _, path, mount in
            #expect(mount.isServing)
            #expect(run("fusermount3 -u \(path)").status == 0)
            let deadline = ContinuousClock.now + .seconds(5)
            while mount.isServing && ContinuousClock.now < deadline { usleep(10_000) }
            #expect(!mount.isServing)
            #expect(!FUSEMount.isMounted(at: path))
        }
        #expect(exits.load(ordering: .relaxed) == 1)
    }

    /// A lazy unmount keeps the connection while a file is open: the parked read gets end of
    /// file (the mount table watch), and once the reader closed, the kernel ends the connection
    /// and with it the loop's channel.
    @Test func aLazyUnmountEndsTheParkedReaderAndThenServing() throws {
        let network = NetworkLoop(threads: 1)
        defer { Task { await network.shutdown() } }
        try withLoopServedHub(network) { _, _, path, mount in
            let lazy = run("(sleep 0.3; fusermount3 -u -z \(path)) & timeout -s KILL 3 cat \(path)/out; echo \"cat $?\"; wait")
            #expect(lazy.output == "cat 0\n", "the parked read got end of file: \(lazy)")
            let deadline = ContinuousClock.now + .seconds(5)
            while mount.isServing && ContinuousClock.now < deadline { usleep(10_000) }
            #expect(!mount.isServing, "serving ended once the reader closed")
        }
    }
}

/// The mount's loop is the loop of its uid's unix connections (``NetworkLoop/reserve(forUID:)``):
/// held like one more connection of that uid, so the uid's connections go there, until released.
@Test func theMountHoldsTheLoopOfItsUIDsConnections() async {
    let network = NetworkLoop(threads: 2)
    let busy = network.shares.withLockedValue { $0.assign(7) }
    let (loop, release) = network.reserve(forUID: 7)
    #expect(loop === network.loops[busy])
    let other = network.reserve(forUID: 8)
    #expect(other.loop !== loop, "a uid without connections gets the least busy loop")
    network.shares.withLockedValue { $0.release(7) }
    let again = network.shares.withLockedValue { $0.assign(7) }
    #expect(again == busy, "the mount's share keeps the uid on its loop")
    release()
    release()
    other.release()
    network.shares.withLockedValue { $0.release(7) }
    #expect(network.shares.withLockedValue { $0.connections } == [0, 0], "released once each")
    await network.shutdown()
}

/// ``withMountedHub`` with the mount served on `network`'s loop (one loop in these tests).
func withLoopServedHub(
    _ network: NetworkLoop, at directory: String? = nil, onLoopExit: (@Sendable () -> Void)? = nil,
    _ body: (Hub, NetworkFileSystem, String, FUSEMount) throws -> Void
) throws {
    let hub = try makeHub()
    let logger = Logger(label: "loop-test")
    let path = directory ?? NSTemporaryDirectory() + "cube-loop-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { if directory == nil { try? FileManager.default.removeItem(atPath: path) } }
    let fileSystem = NetworkFileSystem(hub: hub, mountPoint: path, logger: logger)
    let source = FUSELoopSource(network: network, uid: getuid())
    let mount = try FUSEMount(fileSystem: fileSystem, at: path, options: MountOptions(drainTimeout: .milliseconds(250)),
                              logger: logger, requestSource: source, onLoopExit: onLoopExit)
    defer {
        fileSystem.shutdown()
        mount.unmount()
        #expect(!FUSEMount.isMounted(at: path))
    }
    fileSystem.attach(mount.notifier)
    try body(hub, fileSystem, path, mount)
}
