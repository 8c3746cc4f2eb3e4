@testable import CubeMount
import CubeCore
import CubeFS
import CubeFUSE
import CubeRuntime
import Foundation
import Glibc
import Logging
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
        let recorder = Recorder()
        let caller = hub.connectLocal(recorder, user: "caller", transport: .local("test"))
        hub.received(Array("(7)\(door.id).heart\n".utf8), from: caller)
        #expect(recorder.text == "(7)FALSE \(UserSessionEndpoint.noCommands)\n")
        #expect(hub.inspect { $0.routeCount } == 0)
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
