@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Glibc
import Logging
import Testing

/// What the mount holds of an unfinished command written to `cmd` is charged to the writer's
/// memory share like a socket session's buffered input (docs/security.md "Resource limits"):
/// before, each open file could hold 16 MiB of an unfinished multi-line command uncounted.
@Suite struct MountHeldInputTests {
    private let context = RequestContext(uid: 4711, gid: 4711, pid: 1, umask: 0)

    private func mount() throws -> (Hub, NetworkFileSystem, UInt64) {
        let text = "access.cmd.usr.* = **\nnode.name = heldtest\nlimits.memory.user = 1048576\n"
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        let hub = Hub(configuration: configuration, hasher: PlainHasher(), seed: 7, utcOffset: 0,
                      delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "held-test"))
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "held-test"),
                                           userNames: { _ in .name("tester") })
        let ino = fileSystem.state.withLock { $0.nodes.ino(for: .file(.cmd, .cube)) }
        return (hub, fileSystem, ino)
    }

    private func open(_ fileSystem: NetworkFileSystem, _ ino: UInt64) throws -> UInt64 {
        try fileSystem.open(ino: ino, flags: O_WRONLY, context: context).get().handle
    }

    @Test func unfinishedCommandsPastTheUsersShareAreRefusedWithENOMEM() throws {
        let (hub, fileSystem, ino) = try mount()
        let chunk = Array(String(repeating: "x", count: 1000).utf8) + [Wire.lf]
        // Two files, each with an unfinished multi-line command of 400 KB: 800 KB held.
        var handles: [UInt64] = []
        for id in 1...2 {
            let handle = try open(fileSystem, ino)
            handles.append(handle)
            #expect(try fileSystem.write(ino: ino, handle: handle, bytes: Array("(\(id))heart+\n".utf8), offset: 0,
                                         context: context).get() > 0)
            for _ in 0..<400 {
                _ = try fileSystem.write(ino: ino, handle: handle, bytes: chunk, offset: 0, context: context).get()
            }
        }
        #expect(hub.inspect { $0.memoryHeld } >= 800_000)
        // A third file may not take the user past 1 MiB.
        let third = try open(fileSystem, ino)
        handles.append(third)
        _ = try fileSystem.write(ino: ino, handle: third, bytes: Array("(3)heart+\n".utf8), offset: 0, context: context).get()
        var refused: Errno?
        for _ in 0..<400 where refused == nil {
            if case .failure(let error) = fileSystem.write(ino: ino, handle: third, bytes: chunk, offset: 0, context: context) {
                refused = error
            }
        }
        #expect(refused == .outOfMemory)
        #expect(hub.inspect { $0.memoryHeld } <= 1 << 20)
        // Closing the files returns everything.
        for handle in handles { fileSystem.release(ino: ino, handle: handle, flags: 0) }
        #expect(hub.inspect { $0.memoryHeld } == 0)
    }

    @Test func wholeLinesHoldNothing() throws {
        let (hub, fileSystem, ino) = try mount()
        let handle = try open(fileSystem, ino)
        #expect(try fileSystem.write(ino: ino, handle: handle, bytes: Array("(1)heart\n".utf8), offset: 0, context: context).get() == 9)
        #expect(hub.inspect { $0.memoryHeld } == 0)
        fileSystem.release(ino: ino, handle: handle, flags: 0)
    }

    /// The rest of a refused message fails its writes as the message did: the kernel may split
    /// one write(2) into two requests and report only the first, so a writer that retries the
    /// rest of a short write must still see the error (a hostile second reader found the
    /// `EMSGSIZE` of a multi-line command over 16 MiB lost that way).
    @Test func writesOfARefusedMessagesRestFailLikeIt() throws {
        let (_, fileSystem, ino) = try mount()
        let handle = try open(fileSystem, ino)
        let part = [UInt8](repeating: UInt8(ascii: "x"), count: 40_000)
        #expect(try fileSystem.write(ino: ino, handle: handle, bytes: part, offset: 0, context: context).get() == 40_000)
        // Past 64 KiB without a newline: refused.
        guard case .failure(let first) = fileSystem.write(ino: ino, handle: handle, bytes: part, offset: 0, context: context) else {
            Issue.record("a line over 64 KiB was accepted")
            return
        }
        #expect(first == .messageTooLong)
        // Its rest, up to the newline, fails the same way.
        guard case .failure(let rest) = fileSystem.write(ino: ino, handle: handle, bytes: part + [Wire.lf], offset: 0,
                                                         context: context) else {
            Issue.record("the rest of a refused line was accepted")
            return
        }
        #expect(rest == .messageTooLong)
        // The next line is a command again.
        #expect(try fileSystem.write(ino: ino, handle: handle, bytes: Array("(2)heart\n".utf8), offset: 0, context: context).get() == 9)
        fileSystem.release(ino: ino, handle: handle, flags: 0)
    }

    /// A line too long that starts in the write ending a memory refusal's skip fails with
    /// `EMSGSIZE` in its rest, not with the `ENOMEM` of the message before it (a reviewer's nit).
    @Test func aSizeRefusalAfterAMemoryRefusalKeepsItsOwnErrno() throws {
        let (_, fileSystem, ino) = try mount()
        let handle = try open(fileSystem, ino)
        let line = Array(String(repeating: "x", count: 1000).utf8) + [Wire.lf]
        _ = try fileSystem.write(ino: ino, handle: handle, bytes: Array("(1)heart+\n".utf8), offset: 0, context: context).get()
        var refused = false
        for _ in 0..<1100 where !refused {
            if case .failure(let error) = fileSystem.write(ino: ino, handle: handle, bytes: line, offset: 0, context: context) {
                #expect(error == .outOfMemory)
                refused = true
            }
        }
        #expect(refused)
        // The skipped message ends; a line over 64 KiB starts in the same write.
        let long = [UInt8](repeating: UInt8(ascii: "y"), count: 70_000)
        guard case .failure(let ending) = fileSystem.write(ino: ino, handle: handle, bytes: Array(".\n".utf8) + long,
                                                           offset: 0, context: context) else {
            Issue.record("a line over 64 KiB was accepted")
            return
        }
        #expect(ending == .messageTooLong)
        guard case .failure(let rest) = fileSystem.write(ino: ino, handle: handle, bytes: long, offset: 0, context: context) else {
            Issue.record("the rest of a refused line was accepted")
            return
        }
        #expect(rest == .messageTooLong)
        // Its end is the rest too; then a command again.
        if case .success = fileSystem.write(ino: ino, handle: handle, bytes: [Wire.lf], offset: 0, context: context) {
            Issue.record("the end of a refused line was accepted")
        }
        #expect(try fileSystem.write(ino: ino, handle: handle, bytes: Array("(2)heart\n".utf8), offset: 0,
                                     context: context).get() == 9)
        fileSystem.release(ino: ino, handle: handle, flags: 0)
    }

    /// The `FALSE` of a memory refusal goes to the `ask` written to, like any refusal
    /// (docs/filesystem.md "Refusals"): before it went to `out` only, and a reader of the
    /// `ask` never learnt why its command had no reply.
    @Test func aMemoryRefusalIsAnsweredInTheAskWrittenTo() throws {
        let (_, fileSystem, _) = try mount()
        let ino = fileSystem.state.withLock { $0.nodes.ino(for: .file(.ask, .cube)) }
        let handle = try fileSystem.open(ino: ino, flags: O_RDWR, context: context).get().handle
        let line = Array(String(repeating: "x", count: 1000).utf8) + [Wire.lf]
        _ = try fileSystem.write(ino: ino, handle: handle, bytes: Array("(1)heart+\n".utf8), offset: 0, context: context).get()
        var refused = false
        for _ in 0..<1100 where !refused {
            if case .failure = fileSystem.write(ino: ino, handle: handle, bytes: line, offset: 0, context: context) { refused = true }
        }
        #expect(refused)
        let replies = fileSystem.state.withLock { $0.files[handle].map { String(decoding: $0.askReplies, as: UTF8.self) } }
        #expect(replies == "FALSE memory limit reached [ limits.memory.user ]\n")
        fileSystem.release(ino: ino, handle: handle, flags: 0)
    }

    /// What a refused message leaves buffered (a partial line) is charged all the same, so that
    /// closing the file returns exactly what was charged: the account never goes below zero
    /// (a reviewer's finding: refused, that charge was recorded anyway and refunded later).
    @Test func aRefusalsLeftoverIsChargedSoTheRefundBalances() throws {
        let (hub, fileSystem, ino) = try mount()
        let line = Array(String(repeating: "x", count: 1000).utf8) + [Wire.lf]
        let first = try open(fileSystem, ino)
        _ = try fileSystem.write(ino: ino, handle: first, bytes: Array("(1)heart+\n".utf8), offset: 0, context: context).get()
        for _ in 0..<1000 { _ = try fileSystem.write(ino: ino, handle: first, bytes: line, offset: 0, context: context).get() }
        let second = try open(fileSystem, ino)
        _ = fileSystem.write(ino: ino, handle: second, bytes: Array("(2)heart+\n".utf8), offset: 0, context: context)
        // Past the share, ending in a partial line of 50 KB that stays buffered.
        let refused = fileSystem.write(ino: ino, handle: second, bytes: line + [UInt8](repeating: UInt8(ascii: "z"), count: 50_000),
                                       offset: 0, context: context)
        if case .success = refused { Issue.record("the write past the share was accepted") }
        #expect(hub.inspect { $0.memoryHeld } >= 1_000_000)
        fileSystem.release(ino: ino, handle: second, flags: 0)
        fileSystem.release(ino: ino, handle: first, flags: 0)
        #expect(hub.inspect { $0.memoryHeld } == 0)
    }
}
