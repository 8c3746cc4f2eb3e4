@testable import CubeCore
import Testing

/// The router's door (``Router/submit(_:from:now:)``, ``Router/replied(_:from:now:)``):
/// in-process sessions hand it typed commands and replies and get typed messages and a
/// dispatch outcome back, while socket sessions on the other side see the same bytes as ever.
@Suite struct DoorTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    private func router(_ extra: String = "") throws -> Router {
        let text = """
            access.cmd.usr.unix-root = **
            access.cmd.usr.root = **
            access.cmd.usr.v7 = **
            access.cmd.usr.guest = heart
            \(extra)
            """
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        return Router(configuration: configuration, hasher: IdentityHasher(), seed: 3, now: now)
    }

    private func command(_ id: UInt64, _ path: String, _ args: String? = nil) -> Command {
        Command(id: id, path: Array(path.utf8), args: args.map { Array($0.utf8) })
    }

    /// The typed messages delivered to `id` among `actions`.
    private func delivered(to id: SessionID, _ actions: [RouterAction]) -> [Message] {
        actions.compactMap { action in
            guard case .deliver(id, let message) = action else { return nil }
            return message
        }
    }

    @Test func aRoutedCommandReachesTheZenkaAsBytesAndItsReplyComesBackTyped() throws {
        var router = try router()
        let (door, _) = router.connectLocal(user: "unix-root", transport: .local("fs"), door: true, now: now)
        let (zenka, _) = router.connectLocal(user: "calc", transport: .local("test"), now: now)
        let (outcome, actions) = router.submit(command(9, "calc.heart"), from: door, now: now)
        #expect(outcome == .accepted)
        let line = sent(to: zenka, actions)
        let target = try #require(line.firstMatch(of: #/^\((\d{6})\)heart\n$/#).map { String($0.1) })
        let later = Timestamp(monotonic: now.monotonic + 250_000, wall: now.wall)
        let relayed = router.received(Array("(\(target))TRUE beating\n".utf8), from: zenka, now: later)
        #expect(sent(to: door, relayed).isEmpty)
        #expect(delivered(to: door, relayed) == [.reply(Reply(id: 9, keyword: .trueReply,
                                                               text: Array("beating [ 0.00025 secs ]".utf8)))])
    }

    @Test func refusalsAreTheOutcomeAndNoReply() throws {
        var router = try router()
        let (door, _) = router.connectLocal(user: "unix-root", transport: .local("fs"), door: true, now: now)
        let (guest, _) = router.connectLocal(user: "guest", transport: .local("fs"), door: true, now: now)
        let (missing, actions) = router.submit(command(1, "nosuch.heart"), from: door, now: now)
        #expect(missing == .refused(Refusal(.missing, Wire.clientNotPresent)))
        #expect(delivered(to: door, actions).isEmpty)
        let (malformed, _) = router.submit(command(2, "calc..heart"), from: door, now: now)
        #expect(malformed == .refused(Refusal(.malformed, Wire.protocolMismatch)))
        let (denied, deniedActions) = router.submit(command(3, "whoami"), from: guest, now: now)
        #expect(denied == .refused(Refusal(.denied, "command not known or no permission for 'whoami'")))
        // The refusal is still logged and counted like one from a socket.
        #expect(deniedActions.contains { if case .event(.commandRefused) = $0 { true } else { false } })
        #expect(router.stats.refusedCommands == 1)
    }

    @Test func localCommandsAnswerTypedWithTheirBodyUncounted() throws {
        var router = try router()
        let (door, _) = router.connectLocal(user: "unix-root", transport: .local("fs"), door: true, now: now)
        let (outcome, actions) = router.submit(command(4, "whoami"), from: door, now: now)
        #expect(outcome == .accepted)
        #expect(delivered(to: door, actions) == [.reply(Reply(id: 4, keyword: .trueReply, text: Array("unix-root \(door)".utf8)))])
        let (_, listed) = router.submit(command(5, "list", "sessions"), from: door, now: now)
        guard case .reply(let table)? = delivered(to: door, listed).first else {
            Issue.record("no typed reply: \(listed)")
            return
        }
        #expect(table.id == 5 && table.keyword == .size && table.body.map { !$0.isEmpty } == true)
    }

    @Test func aDoorAsTargetGetsTypedCommandsAndItsTypedReplyReachesASocketAsBytes() throws {
        var router = try router()
        let (manager, _) = router.connectLocal(user: "v7", transport: .local("manager"), door: true, now: now)
        let (client, _) = router.connectLocal(user: "root", transport: .local("test"), now: now)
        let actions = router.received(Array("(12)v7.status calc\n".utf8), from: client, now: now)
        guard case .command(let typed)? = delivered(to: manager, actions).first else {
            Issue.record("no typed command: \(actions)")
            return
        }
        #expect(typed.path == Array("status".utf8) && typed.args == Array("calc".utf8))
        #expect(sent(to: manager, actions).isEmpty)
        let answered = router.replied(Reply(id: typed.id, keyword: .size, body: Array("table\n".utf8)), from: manager, now: now)
        #expect(sent(to: client, answered) == "(12)SIZE 0006\ntable\n")
    }

    @Test func aClosedDoorSessionIsReportedAndTermAllGivesNoBytes() throws {
        var router = try router()
        let (door, _) = router.connectLocal(user: "unix-root", transport: .local("fs"), door: true, now: now)
        let (admin, _) = router.connectLocal(user: "root", transport: .local("test"), now: now)
        let terminated = router.received(Array("term-all \(door)\n".utf8), from: admin, now: now)
        #expect(sent(to: door, terminated).isEmpty)
        #expect(delivered(to: door, terminated) == [.terminate])
        #expect(terminated.contains(.close(door)))
        let (outcome, actions) = router.submit(command(6, "heart"), from: door, now: now)
        #expect(outcome == .noSession && actions.isEmpty)
    }
}
