@testable import CubeCore
import Testing

/// The end of input with complete lines still waiting for their turn (``Router/turnBudget``):
/// they are handled first, so replies a zenka wrote before it ended its output reach their
/// sources instead of `FALSE command route collapsed` (docs/protocol.md §7, "The end of input").
@Suite struct InputEndBacklogTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    private func sent(to id: SessionID, _ actions: [RouterAction]) -> [String] {
        actions.reduce(into: "") { text, action in
            if case .send(id, let bytes) = action { text += String(decoding: bytes, as: UTF8.self) }
        }.split(separator: "\n").map(String.init)
    }

    @Test func repliesWaitingForTheirTurnAreRelayedBeforeTheSessionCloses() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 5, now: now)
        router.turnBudget = 4
        let (responder, _) = router.connectLocal(user: "responder", transport: .local("test"), now: now)
        let (client, _) = router.connectLocal(user: "client", transport: .local("test"), now: now)
        let commands = (1...10).map { "(\($0))responder.work\n" }.joined()
        var routed = sent(to: responder, router.received(Array(commands.utf8), from: client, now: now))
        while routed.count < 10 {
            routed += sent(to: responder, router.received(EmptyCollection(), from: client, now: now))
        }
        // The responder answers all ten in one write and ends its output at once.
        let replies = routed.map { line in line.prefix { $0 != ")" } + ") TRUE done\n" }.joined()
        var actions = router.received(Array(replies.utf8), from: responder, now: now)
        #expect(actions.contains(.resume(responder)))
        actions += router.inputEnded(responder, now: now)
        // The owner feeds it its next turns (as the hub does after a `resume`).
        var turns = 0
        while !actions.contains(.close(responder)), turns < 10 {
            actions += router.received(EmptyCollection(), from: responder, now: now)
            turns += 1
        }
        #expect(sent(to: client, actions) == (1...10).map { "(\($0))TRUE done" })
        #expect(actions.contains(.close(responder)))
        #expect(router.routeCount == 0)
    }
}
