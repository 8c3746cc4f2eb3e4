@testable import CubeCore
import Testing

/// `dispatch = balanced` (docs/pooling.md "Policy") on candidate lists, without a router.
@Suite struct BalancedPolicyTests {
    private func local(_ id: SessionID, _ outstanding: UInt32) -> PoolCandidate {
        PoolCandidate(place: .local(id), outstanding: outstanding)
    }

    private func remote(_ node: String, _ outstanding: UInt32, distance: UInt64, held: UInt32? = nil) -> PoolCandidate {
        PoolCandidate(place: .remote(node), outstanding: outstanding, distance: distance, held: held)
    }

    private func places(_ policy: BalancedPolicy, _ candidates: [PoolCandidate], rounds: Int) -> [PoolCandidate.Place] {
        var turn: UInt64 = 0
        return (0..<rounds).compactMap { _ in policy.select(candidates, turn: &turn).first.map { candidates[$0].place } }
    }

    @Test func fewestOutstandingWins() {
        let policy = BalancedPolicy(target: 10)
        #expect(places(policy, [local(1, 3), local(2, 1), local(3, 2)], rounds: 3) == Array(repeating: .local(2), count: 3))
    }

    @Test func tiesAreTakenInTurn() {
        let policy = BalancedPolicy(target: 10)
        let candidates = [local(1, 2), local(2, 2), local(3, 5), local(4, 2)]
        #expect(places(policy, candidates, rounds: 6) == [.local(1), .local(2), .local(4), .local(1), .local(2), .local(4)])
    }

    @Test func localFirstWhileUnderTheTargetEvenIfARemoteIsIdle() {
        let policy = BalancedPolicy(target: 4)
        let candidates = [local(1, 3), remote("b", 0, distance: 1)]
        #expect(places(policy, candidates, rounds: 2) == [.local(1), .local(1)])
    }

    @Test func pastTheTargetTheBestAnywhereWinsThenTheNearest() {
        let policy = BalancedPolicy(target: 4)
        let candidates = [local(1, 4), remote("far", 1, distance: 3), remote("near", 1, distance: 1), remote("c", 2, distance: 1)]
        #expect(places(policy, candidates, rounds: 2) == [.remote("near"), .remote("near")])
        // A remote node loaded by others (its advert) but holding nothing of ours still takes one.
        let loaded = [local(1, 4), remote("b", 5, distance: 1, held: 0)]
        #expect(places(policy, loaded, rounds: 1) == [.remote("b")])
    }

    @Test func everyInstanceAtTheTargetChoosesNothing() {
        // docs/pooling.md "Queue": the command waits in the cube instead of at a busy instance.
        let policy = BalancedPolicy(target: 2)
        var turn: UInt64 = 0
        #expect(policy.select([local(1, 2), local(2, 3), remote("b", 0, distance: 1, held: 2)], turn: &turn).isEmpty)
        #expect(turn == 0)
        // The first instance under its limit takes it, wherever it is.
        #expect(places(policy, [local(1, 2), remote("b", 9, distance: 1, held: 1)], rounds: 1) == [.remote("b")])
        #expect(places(policy, [local(1, 2), local(2, 1)], rounds: 1) == [.local(2)])
    }

    @Test func nothingToChooseFromChoosesNothing() {
        var turn: UInt64 = 0
        #expect(BalancedPolicy(target: 1).select([], turn: &turn).isEmpty)
        #expect(turn == 0)
    }

    @Test func advertLoadRoundsPerInstanceUp() {
        #expect(AdvertLoad(name: "calc", instances: 2, outstanding: 5).perInstance == 3)
        #expect(AdvertLoad(name: "calc", instances: 3, outstanding: 0).perInstance == 0)
        #expect(Router.loadBucket(3) == 3)
        #expect(Router.loadBucket(7) == 4)
        #expect(Router.loadBucket(1000) == 512)
    }
}
