@testable import CubeCore
import Testing

/// When a balanced zenka leases compute on other nodes and gives it back (docs/pooling.md
/// "Bursts"), without a router.
@Suite struct BurstPlannerTests {
    static let second: UInt64 = 1_000_000_000
    static let rule = BurstRule(target: 2, upAfter: 2 * second, downAfter: 5 * second, cooldown: 3 * second, maximum: 2)
    static let b = ComputeCandidate(node: "b", offer: 7, available: 2, load: 0, distance: 1)
    static let c = ComputeCandidate(node: "c", offer: 3, available: 4, load: 0, distance: 2)

    @Test func acquiresOnlyAtTheMaximumAfterSustainedLoadOnTheBestCandidate() {
        var planner = BurstPlanner()
        let s = Self.second
        let both = [Self.c, Self.b]
        // Loaded, but not at instances.max here: local scaling comes first.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: false, demand: 9, candidates: both, now: 0) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: false, demand: 9, candidates: both, now: 5 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 2, candidates: both, now: 6 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 2, candidates: both, now: 7 * s) == [])
        // Two seconds at the target: c has more slots free at equal load, so it wins over nearer b.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 2, candidates: both, now: 8 * s)
            == [.acquire(node: "c", offer: 3)])
        #expect(planner.leases("w").map(\.state) == [.requested])
        // While it is asked for nothing else is, and it counts as capacity.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 9, candidates: both, now: 20 * s) == [])
        planner.acquired("w", node: "c", lease: 11, now: 21 * s)
        #expect(planner.leases("w").map(\.lease) == [11])
        // Still at the target with the lease counted (it was loaded while asked for, too): one more.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 4, candidates: both, now: 22 * s)
            == [.acquire(node: "c", offer: 3)])
        planner.acquired("w", node: "c", lease: 12, now: 25 * s)
        // `bursts` = 2: no third lease however loaded.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 99, candidates: both, now: 30 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 99, candidates: both, now: 40 * s) == [])
    }

    @Test func releasesTheNewestLeaseAfterSustainedLowLoadWithACooldown() {
        var planner = BurstPlanner()
        let s = Self.second
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 20, candidates: [Self.b], now: 0) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 20, candidates: [Self.b], now: 2 * s) == [.acquire(node: "b", offer: 7)])
        planner.acquired("w", node: "b", lease: 1, now: 2 * s)
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 20, candidates: [Self.b], now: 5 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 20, candidates: [Self.b], now: 7 * s) == [.acquire(node: "b", offer: 7)])
        planner.acquired("w", node: "b", lease: 2, now: 7 * s)
        #expect(planner.leases("w").map(\.lease) == [1, 2])
        // Low: 2 × 1 ≤ (3 − 1) × 2; five seconds of it release the newest.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 1, candidates: [], now: 10 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 1, candidates: [], now: 15 * s)
            == [.release(node: "b", lease: 2)])
        #expect(planner.leases("w").map(\.state) == [.active, .releasing])
        let newest = planner.ended(node: "b", lease: 2)
        #expect(newest == "w")
        // Idle at once again, but the cooldown and then down-after hold the last one back.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 0, candidates: [], now: 16 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 0, candidates: [], now: 21 * s)
            == [.release(node: "b", lease: 1)])
        let last = planner.ended(node: "b", lease: 1)
        let unknown = planner.ended(node: "b", lease: 1)
        #expect(last == "w" && unknown == nil)
        #expect(planner.leases("w").isEmpty)
    }

    @Test func aRefusingOrVanishedNodeIsAvoidedForAWhile() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 1, upAfter: 0, downAfter: 60 * s, cooldown: 0, maximum: 4)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b], now: 0)
            == [.acquire(node: "b", offer: 7)])
        planner.acquireFailed("w", node: "b", now: 1 * s)
        #expect(planner.leases("w").isEmpty)
        // A grant that arrives after the request was given up is not kept (the caller releases it).
        let late = planner.acquired("w", node: "b", lease: 8, now: 1 * s)
        #expect(!late && planner.leases("w").isEmpty)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b], now: 2 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 3 * s)
            == [.acquire(node: "c", offer: 3)])
        planner.acquired("w", node: "c", lease: 5, now: 3 * s)
        let gone = planner.nodeGone("c", now: 4 * s)
        #expect(gone.map(\.name) == ["w"] && gone.map(\.lease) == [5])
        #expect(planner.leases("w").isEmpty)
        // Neither b nor c for 30 s; then b again.
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 20 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 32 * s)
            == [.acquire(node: "b", offer: 7)])
    }

    @Test func aNodeWithoutAFreeSlotIsNotAskedAndActiveLeasesAreRenewedAtHalfTheirTTL() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 1, upAfter: 0, downAfter: 3600 * s, cooldown: 0, maximum: 4)
        let full = ComputeCandidate(node: "b", offer: 7, available: 0, load: 0, distance: 1)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [full], now: 0) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.c], now: 1 * s)
            == [.acquire(node: "c", offer: 3)])
        planner.acquired("w", node: "c", lease: 9, now: 1 * s)
        let half = BurstRule.ttlSeconds / 2 * s
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 1, candidates: [], now: half) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 1, candidates: [], now: half + 1 * s)
            == [.renew(node: "c", lease: 9)])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 1, candidates: [], now: half + 2 * s) == [])
    }

    @Test func computeOffersRunOnlyTheirListedBalancedZenki() throws {
        var calc = ZenkaDefinition(name: "calc")
        calc.dispatch = .balanced
        let echo = ZenkaDefinition(name: "echo")
        let zenki = ["calc": calc, "echo": echo]
        let offer = Offer(id: 4, kind: "compute", capacity: 2, attributes: ["runs=calc,echo"], provider: 1,
                          providerUser: "v7", created: 0, requirement: nil)
        #expect(ComputeLeases.runs(offer.attributes) == ["calc", "echo"])
        #expect(ComputeLeases.refusal(offer: offer, run: "calc", zenki: zenki) == nil)
        #expect(ComputeLeases.refusal(offer: offer, run: "echo", zenki: zenki) == "offer 4 does not run 'echo'")
        #expect(ComputeLeases.refusal(offer: offer, run: "other", zenki: zenki) == "offer 4 does not run 'other'")
        #expect(ComputeLeases.refusal(offer: offer, run: nil, zenki: zenki)
            == "usage: acquire <compute offer> <instances> [ttl] run <zenka>")
        let storage = Offer(id: 5, kind: "storage", capacity: 2, attributes: [], provider: 1, providerUser: "s",
                            created: 0, requirement: nil)
        #expect(ComputeLeases.refusal(offer: storage, run: nil, zenki: zenki) == nil)
        #expect(ComputeLeases.refusal(offer: storage, run: "calc", zenki: zenki)?.hasPrefix("offer 5 is not a compute offer") == true)
        // A compute offer without `runs=` is a zenka's own, leased like storage.
        let sold = Offer(id: 6, kind: "compute", capacity: 4, attributes: ["price=2"], provider: 1, providerUser: "calc",
                         created: 0, requirement: nil)
        #expect(ComputeLeases.refusal(offer: sold, run: nil, zenki: zenki) == nil)
        #expect(ComputeLeases.refusal(offer: sold, run: "calc", zenki: zenki)?.hasPrefix("offer 6 is not a compute offer") == true)
        var leases = ComputeLeases()
        leases.granted(1, zenka: "calc", instances: 2)
        leases.granted(2, zenka: "calc", instances: 1)
        #expect(leases.serving("calc") == 3)
        let ended = leases.ended(1)
        let again = leases.ended(1)
        #expect(ended?.instances == 2 && again == nil)
        leases.drainLater("calc", count: 1)
        let first = leases.joinedMustDrain("calc")
        let second = leases.joinedMustDrain("calc")
        #expect(first && !second)
    }
}
