@testable import CubeMount
import CubeCore
import CubeFS
import CubeFUSE
import CubeRuntime
import Foundation
import Glibc
import Logging
import Synchronization
import Testing

/// The name a writer's uid speaks as through the mount (docs/filesystem.md): none is a
/// refusal (`EACCES`), one that cannot be read now is no verdict (`EAGAIN`, try again).
@Suite struct MountUserNameTests {
    private func refusal(_ lookup: UnixUser.Lookup) throws -> CommandTranslator.Refusal? {
        let fileSystem = NetworkFileSystem(hub: try makeHub(), mountPoint: "/nonexistent", logger: Logger(label: "names"),
                                           userNames: { _ in lookup })
        let translated = fileSystem.state.withLock { $0.translator.translate(.line(Array("(4)heart".utf8)), for: .cube) }
        guard case .command(let command) = translated else {
            Issue.record("not translated: \(translated)")
            return nil
        }
        return fileSystem.send(command, port: .cube, ask: nil, uid: 4711)
    }

    @Test func aUidWithoutANameIsRefused() throws {
        let refused = try refusal(.none)
        #expect(refused?.kind == .denied)
        #expect(refused?.text == "uid 4711 has no unix user name to speak as")
        #expect(NetworkFileSystem.errno(for: .denied) == .permissionDenied)
    }

    @Test func aNameThatCannotBeReadNowIsAskedAgainLater() throws {
        let refused = try refusal(.failed(EMFILE))
        #expect(refused?.kind == .unavailable)
        #expect(refused?.text == "the user name of uid 4711 cannot be read now [ Too many open files ], try again")
        #expect(NetworkFileSystem.errno(for: .unavailable) == .resourceTemporarilyUnavailable)
    }

    @Test func aNamedUidIsServed() throws {
        #expect(try refusal(.name("nobody")) == nil)
    }

    /// A command routed to a mount session is refused at once (docs/filesystem.md): it has
    /// nobody to run it, and before it stayed open until `timeouts.route`.
    @Test func aCommandRoutedToAMountSessionIsRefusedAtOnce() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "names"),
                                           userNames: { _ in .name("nobody") })
        let door = try #require(fileSystem.userSession(for: 4711))
        expectRefusal(of: door.id, in: hub)
    }

    /// Routes a command to mount session `door` from another session: it must be refused at
    /// once, leaving no route open.
    private func expectRefusal(of door: SessionID, in hub: Hub, sourceLocation: SourceLocation = #_sourceLocation) {
        let recorder = Recorder()
        let caller = hub.connectLocal(recorder, user: "caller", transport: .local("test"))
        hub.received(Array("(7)\(door).heart\n".utf8), from: caller)
        #expect(recorder.text == "(7)FALSE \(UserSessionEndpoint.noCommands)\n", sourceLocation: sourceLocation)
        #expect(hub.inspect { $0.routeCount } == 0, sourceLocation: sourceLocation)
    }

    /// Refused from the session's first instant: before the door knew its id only through the
    /// mount's table, so a command routed between `connectDoor` and the table's entry waited
    /// out `timeouts.route`.
    @Test func aCommandRoutedBeforeTheMountsTableHoldsTheSessionIsRefused() throws {
        let hub = try makeHub()
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "names"),
                                           userNames: { _ in .name("nobody") })
        let door = hub.connectDoor(user: "unix-nobody", transport: .local("fs")) { id in
            UserSessionEndpoint(fileSystem: fileSystem, uid: 4711, session: id)
        }
        expectRefusal(of: door, in: hub)
    }

    /// Two writers of one uid that both find no session open one each; the second is closed
    /// (before, it stayed in the router for the cube's life, one per such race).
    @Test func twoWritersRacingForAUidsSessionLeaveOne() throws {
        let hub = try makeHub()
        let arrived = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        // Both writers pass the "no session yet" check before either registers one.
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "names"),
                                           userNames: { _ in
                                               arrived.signal()
                                               go.wait()
                                               return .name("nobody")
                                           })
        // Threads of their own: the writers block, which the test's task pool must not.
        let ids = Mutex<[SessionID?]>([])
        let done = DispatchGroup()
        for _ in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                let id = fileSystem.userSession(for: 4711)?.id
                ids.withLock { $0.append(id) }
                done.leave()
            }
        }
        #expect(arrived.wait(timeout: .now() + 10) == .success)
        #expect(arrived.wait(timeout: .now() + 10) == .success)
        go.signal()
        go.signal()
        #expect(done.wait(timeout: .now() + 10) == .success)
        let both = ids.withLock { $0 }
        let (one, two) = (both.first ?? nil, both.last ?? nil)
        #expect(one != nil && one == two)
        #expect(hub.inspect { $0.sessions(of: "unix-nobody") }.count == 1)
        // The table holds the one kept.
        #expect(fileSystem.state.withLock { $0.sessions[4711]?.id } == one)
    }
}

/// Keeps what it is sent.
private final class Recorder: SessionEndpoint, @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    func send(_ more: [UInt8]) { lock.withLock { bytes += more } }
    func close() {}
}
