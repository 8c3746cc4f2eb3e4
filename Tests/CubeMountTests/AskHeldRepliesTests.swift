@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Foundation
import Glibc
import Logging
import Testing

/// An `ask` holds only the replies not read yet, charged to its opener's memory share
/// (docs/filesystem.md "`ask`", docs/security.md "Resource limits"). A hostile tester grew the
/// cube by 82 MB through one `ask` kept open for rounds of "write 20 commands, read to the end":
/// every reply was kept, uncounted, until the file was closed.
@Suite(.serialized)
struct AskHeldRepliesTests {
    /// Replies an `ask` holds unread count against its opener's share until read or closed.
    @Test func unreadRepliesAreChargedUntilClosed() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "ask-held-test"),
                                           userNames: { _ in .name("tester") })
        let context = RequestContext(uid: 4711, gid: 4711, pid: 1, umask: 0)
        let ino = fileSystem.state.withLock { $0.nodes.ino(for: .file(.ask, .cube)) }
        let handle = try fileSystem.open(ino: ino, flags: O_RDWR, context: context).get().handle
        let before = hub.inspect { $0.memoryHeld }
        let commands = (1...20).map { "(\($0))heart\n" }.joined()
        _ = try fileSystem.write(ino: ino, handle: handle, bytes: Array(commands.utf8), offset: 0, context: context).get()
        let held = fileSystem.state.withLock { $0.files[handle]?.askReplies.count ?? 0 }
        #expect(held > 20 * "(1)TRUE beating\n".utf8.count - 20)
        #expect(hub.inspect { $0.memoryHeld } - before == held)
        fileSystem.release(ino: ino, handle: handle, flags: 0)
        #expect(hub.inspect { $0.memoryHeld } == before)
    }

    /// An `ask` whose unread replies pass the opener's share takes no more writes until read:
    /// it holds at most the share and one more line (a write settles after each line), and the
    /// writes past it fail with `ENOMEM` and add nothing (before, each refused command still
    /// added its `FALSE` line, charged past the share: a second reader's finding).
    @Test func anAskPastTheShareTakesNoMoreCommandsUntilRead() throws {
        let hub = try makeHub("limits.memory.user = 1048576\n")
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "ask-held-test"),
                                           userNames: { _ in .name("tester") })
        let context = RequestContext(uid: 4711, gid: 4711, pid: 1, umask: 0)
        let ino = fileSystem.state.withLock { $0.nodes.ino(for: .file(.ask, .cube)) }
        let handle = try fileSystem.open(ino: ino, flags: O_RDWR, context: context).get().handle
        let batch = Array(String(repeating: "heart\n", count: 3000).utf8)
        func holds() -> String { fileSystem.state.withLock { String(decoding: $0.files[handle]?.askReplies ?? [], as: UTF8.self) } }
        var failed: Errno?
        for _ in 0..<40 {
            guard case .failure(let error) = fileSystem.write(ino: ino, handle: handle, bytes: batch, offset: 0, context: context)
            else { continue }
            failed = error
            break
        }
        #expect(failed == .outOfMemory)
        #expect(holds().utf8.count < (1 << 20) + 64, "\(holds().utf8.count)")
        #expect(hub.inspect { $0.memoryHeld } >= 1 << 20)
        let full = holds().utf8.count
        let again = fileSystem.write(ino: ino, handle: handle, bytes: Array("(5)heart\nnot a command\n".utf8), offset: 0,
                                     context: context)
        guard case .failure(let error) = again else {
            Issue.record("a write to a full ask succeeded")
            return
        }
        #expect(error == .outOfMemory)
        #expect(holds().utf8.count == full)
        // A read gives some back (what `read` does: take, then settle): commands are taken again.
        fileSystem.state.withLock { state in
            guard var file = state.files[handle] else { return }
            _ = state.take(&file, limit: 1 << 20)
            state.files[handle] = file
        }
        fileSystem.settleHeldReplies(handle)
        _ = try fileSystem.write(ino: ino, handle: handle, bytes: Array("(7)heart\n".utf8), offset: 0, context: context).get()
        #expect(holds().hasSuffix("(7)TRUE beating\n"), "\(holds().suffix(200))")
        fileSystem.release(ino: ino, handle: handle, flags: 0)
        #expect(hub.inspect { $0.memoryHeld } == 0)
    }

    /// Rounds of commands through one open `ask`, each read to its end: nothing stays held
    /// while the file is still open.
    @Test(.enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
    func repliesReadAreDropped() throws {
        try withMountedHub { hub, fileSystem, path in
            let script = """
                import os, sys, time
                fd = os.open(sys.argv[1], os.O_RDWR)
                for round in range(50):
                    os.write(fd, b"heart\\n" * 20)
                    while os.read(fd, 4096): pass
                open(sys.argv[2] + "/paused", "w").close()
                while not os.path.exists(sys.argv[2] + "/resume"): time.sleep(0.05)
                print("done")
                """
            var held: [Int] = []
            var memory = 0
            let asked = try runPausing("exec /usr/bin/python3 -c '\(script)' '\(path)/ask' \"$1\"") {
                held = fileSystem.state.withLock { state in
                    state.files.values.filter { $0.node.isAsk }.map { $0.askReplies.count + $0.askCharged }
                }
                memory = hub.inspect { $0.memoryHeld }
            }
            #expect(asked.status == 0 && asked.output == "done\n", "\(asked)")
            #expect(held == [0], "an ask read to its end still holds \(held) bytes")
            #expect(memory == 0)
        }
    }
}
