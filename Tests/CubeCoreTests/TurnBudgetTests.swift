@testable import CubeCore
import Testing

/// ``Router/turnBudget``: one session is served a bounded amount of work per input, the rest
/// waits for its next turn (docs/security.md "Resource limits").
@Suite struct TurnBudgetTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    private func replies(to id: SessionID, _ actions: [RouterAction]) -> [String] {
        actions.reduce(into: "") { text, action in
            if case .send(id, let bytes) = action { text += String(decoding: bytes, as: UTF8.self) }
        }.split(separator: "\n").map(String.init)
    }

    @Test func aLongBurstIsServedInTurnsWithNothingLostOrReordered() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 5, now: now)
        router.turnBudget = 4
        let (id, _) = router.connectLocal(user: "greedy", transport: .local("test"), now: now)
        var burst: [UInt8] = []
        for index in 10...19 { burst += Array("(\(index))heart\n".utf8) }
        var actions = router.received(burst, from: id, now: now)
        var answered = replies(to: id, actions)
        #expect(answered == ["(10)TRUE beating", "(11)TRUE beating", "(12)TRUE beating", "(13)TRUE beating"])
        #expect(actions.contains(.resume(id)))
        var turns = 1
        while actions.contains(.resume(id)) {
            actions = router.received(EmptyCollection(), from: id, now: now)
            answered += replies(to: id, actions)
            turns += 1
        }
        #expect(turns == 3)
        #expect(answered == (10...19).map { "(\($0))TRUE beating" })
        // What waited for its turn was charged, never refused, and is returned now.
        #expect(router.memoryHeld == 0)
    }

    @Test func aLargeListingUsesUpATurnByItself() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 5, now: now)
        router.turnBudget = 8
        let (provider, _) = router.connectLocal(user: "provider", transport: .local("test"), now: now)
        let attribute = "note=" + String(repeating: "n", count: 20_000)
        _ = router.received(Array("offer disk 1 \(attribute)\n".utf8), from: provider, now: now)
        let (reader, _) = router.connectLocal(user: "reader", transport: .local("test"), now: now)
        // Each listing is 20 KB: 20 units of work, more than the whole turn.
        let actions = router.received(Array("(1)offers\n(2)offers\n(3)heart\n".utf8), from: reader, now: now)
        #expect(actions.contains(.resume(reader)))
        let next = router.received(EmptyCollection(), from: reader, now: now)
        #expect(next.contains(.resume(reader)))
        let last = router.received(EmptyCollection(), from: reader, now: now)
        #expect(!last.contains(.resume(reader)))
        #expect(replies(to: reader, last) == ["(3)TRUE beating"])
    }
}

/// Reads that arrive while a session waits for its next turn join the backlog: they start no
/// turn of their own (docs/security.md "Resource limits").
@Suite struct TurnBudgetBacklogTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    @Test func aReadDuringABacklogWaitsForTheNextTurn() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 5, now: now)
        router.turnBudget = 4
        let (id, _) = router.connectLocal(user: "greedy", transport: .local("test"), now: now)
        let first = router.received(Array((10...17).map { "(\($0))heart\n" }.joined().utf8), from: id, now: now)
        #expect(first.contains(.resume(id)))
        // Read before the owner paused reading: nothing runs now, no second turn starts.
        let second = router.received(Array((18...21).map { "(\($0))heart\n" }.joined().utf8), from: id, now: now)
        #expect(second.isEmpty)
        var answered = 4
        var turns = 0
        var actions = first
        while actions.contains(.resume(id)) {
            actions = router.received(EmptyCollection(), from: id, now: now)
            answered += actions.filter { if case .send = $0 { true } else { false } }.count
            turns += 1
        }
        #expect(answered == 12)
        #expect(turns == 2)
    }
}
