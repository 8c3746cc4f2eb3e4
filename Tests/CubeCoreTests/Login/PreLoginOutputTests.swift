@testable import CubeCore
import Testing

/// What a session not logged in yet is sent is bounded (``LoginState/outputLimit``): pre-auth
/// lines without a count of their own (`selected`) cannot make the cube queue output for a
/// stranger who never reads (docs/security.md "Resource limits").
@Suite struct PreLoginOutputTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)
    private let stranger = PeerIdentity(uid: 4711, gid: 4711, pid: 1, userName: "nobody")

    private func router() throws -> Router {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = heart", file: "test"), owner: "root")
        return Router(configuration: configuration, hasher: IdentityHasher(), seed: 3, now: now)
    }

    private func sent(to id: SessionID, _ actions: [RouterAction]) -> [UInt8] {
        actions.reduce(into: []) { bytes, action in
            if case .send(id, let more) = action { bytes += more }
        }
    }

    @Test func repeatedSelectedLinesAreCutOffAtTheLimitWithANotice() throws {
        var router = try router()
        let (id, _) = router.connected(transport: .unix, peer: stranger, now: now)
        let line = Array("selected\n".utf8)
        let reply = Wire.notSelectedYet
        // 64 KiB, as docs/security.md says.
        let fitting = 65536 / reply.count
        let actions = router.received(Array([[UInt8]](repeating: line, count: fitting + 100).joined()), from: id, now: now)
        let output = sent(to: id, actions)
        // Every reply that fits, then the notice, then nothing more.
        // (Compared by length and ends: a failure printing 64 KiB of bytes helps nobody.)
        #expect(output.count == fitting * reply.count + Wire.speakProtocol7.count)
        #expect(output.starts(with: reply))
        #expect(output.suffix(Wire.speakProtocol7.count + reply.count).elementsEqual(reply + Wire.speakProtocol7))
        #expect(actions.last == .close(id))
        #expect(router.sessionCount == 0)
    }

    @Test func anHonestLoginAfterSomeChatterIsNotAffected() throws {
        var router = try router()
        let (id, _) = router.connected(transport: .unix, peer: stranger, now: now)
        let chatter = Array(String(repeating: "selected\n", count: 100).utf8)
        _ = router.received(chatter + Array("select unix\nselected\nauth unix-nobody\nheart\n".utf8), from: id, now: now)
        #expect(router.activeSessions.map(\.user) == ["unix-nobody"])
        let answer = router.received(Array("(2)heart\n".utf8), from: id, now: now)
        #expect(sent(to: id, answer) == Array("(2)TRUE beating\n".utf8))
    }
}
