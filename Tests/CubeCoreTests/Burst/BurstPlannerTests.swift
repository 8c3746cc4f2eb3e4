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
            == [.acquire(node: "c", offer: 3, instances: 1)])
        #expect(planner.leases("w").map(\.state) == [.requested])
        // While it is asked for nothing else is, and it counts as capacity.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 9, candidates: both, now: 20 * s) == [])
        planner.acquired("w", node: "c", lease: 11, now: 21 * s)
        #expect(planner.leases("w").map(\.lease) == [11])
        // Still at the target with the lease counted (it was loaded while asked for, too): one more.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 4, candidates: both, now: 22 * s)
            == [.acquire(node: "c", offer: 3, instances: 1)])
        planner.acquired("w", node: "c", lease: 12, now: 25 * s)
        // `bursts` = 2: no third lease however loaded.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 99, candidates: both, now: 30 * s) == [])
        #expect(planner.decide("w", rule: Self.rule, instances: 1, atMaximum: true, demand: 99, candidates: both, now: 40 * s) == [])
    }

    @Test func aStepOfDemandLeasesWhatTheExcessNeedsAtOnceSpreadOverTheBestCandidates() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 2, upAfter: 1 * s, downAfter: 5 * s, cooldown: 5 * s, maximum: 10)
        let busy = ComputeCandidate(node: "e", offer: 5, available: 5, load: 3, distance: 1)
        let all = [busy, Self.b, Self.c]
        // 2 instances here at target 2, demand 20: ⌈(20 − 2 × 2) / 2⌉ = 8 instances, dealt
        // one at a time best first (c: most slots, b, then the loaded e), b stopping at its 2 slots.
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 20, candidates: all, now: 0) == [])
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 20, candidates: all, now: 1 * s)
            == [.acquire(node: "c", offer: 3, instances: 3), .acquire(node: "b", offer: 7, instances: 2),
                .acquire(node: "e", offer: 5, instances: 3)])
        #expect(planner.leases("w").map(\.instances) == [3, 2, 3])
        // Nothing more while any of them is asked for.
        planner.acquired("w", node: "c", lease: 1, now: 2 * s)
        planner.acquired("w", node: "b", lease: 2, now: 2 * s)
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 40, candidates: all, now: 3 * s) == [])
        planner.acquired("w", node: "e", lease: 3, now: 3 * s)
        // 10 instances now; demand 26 needs 3 more, but `bursts` = 10 leaves 2, spread over the
        // nodes with a slot left; not before the cooldown (5 s from the acquire at 1 s) has passed.
        let fuller = [ComputeCandidate(node: "c", offer: 3, available: 1, load: 0, distance: 2),
                      ComputeCandidate(node: "e", offer: 5, available: 2, load: 3, distance: 1)]
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 26, candidates: fuller, now: 4 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 26, candidates: fuller, now: 6 * s)
            == [.acquire(node: "c", offer: 3, instances: 1), .acquire(node: "e", offer: 5, instances: 1)])
        planner.acquired("w", node: "c", lease: 4, now: 6 * s)
        planner.acquired("w", node: "e", lease: 5, now: 6 * s)
        #expect(planner.leases("w").reduce(0) { $0 + $1.instances } == 10)
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 99, candidates: all, now: 20 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 99, candidates: all, now: 30 * s) == [])
    }

    @Test func theFreeSlotsAndBurstsBoundAnAcquireAndAFullNetworkAsksNothing() {
        let s = Self.second
        let rule = BurstRule(target: 1, upAfter: 0, downAfter: 5 * s, cooldown: 0, maximum: 3)
        var planner = BurstPlanner()
        // Demand for 99 more, `bursts` = 3: three instances, spread.
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 100, candidates: [Self.b, Self.c], now: 0)
            == [.acquire(node: "c", offer: 3, instances: 2), .acquire(node: "b", offer: 7, instances: 1)])
        var small = BurstPlanner()
        // 6 slots free in all, `bursts` = 64: the slots bound it.
        let wide = BurstRule(target: 1, upAfter: 0, downAfter: 5 * s, cooldown: 0, maximum: 64)
        #expect(small.decide("w", rule: wide, instances: 1, atMaximum: true, demand: 100, candidates: [Self.b, Self.c], now: 0)
            == [.acquire(node: "c", offer: 3, instances: 4), .acquire(node: "b", offer: 7, instances: 2)])
        // Two offers of one node: one acquire there, on the better offer.
        var twice = BurstPlanner()
        let other = ComputeCandidate(node: "c", offer: 8, available: 1, load: 0, distance: 2)
        #expect(twice.decide("w", rule: wide, instances: 1, atMaximum: true, demand: 100, candidates: [other, Self.c], now: 0)
            == [.acquire(node: "c", offer: 3, instances: 4)])
        var none = BurstPlanner()
        let full = ComputeCandidate(node: "b", offer: 7, available: 0, load: 0, distance: 1)
        #expect(none.decide("w", rule: wide, instances: 1, atMaximum: true, demand: 100, candidates: [full], now: 0) == [])
        #expect(none.leases("w").isEmpty)
    }

    @Test func sustainedIdlenessReleasesEveryLeaseTheDemandDoesNotNeedInOneDecision() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 2, upAfter: 0, downAfter: 5 * s, cooldown: 3 * s, maximum: 8)
        let d = ComputeCandidate(node: "d", offer: 2, available: 1, load: 0, distance: 3)
        // 1 instance here, demand 14: 6 more, spread c 3, b 2, d 1.
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 14, candidates: [Self.b, Self.c, d], now: 0)
            == [.acquire(node: "c", offer: 3, instances: 3), .acquire(node: "b", offer: 7, instances: 2),
                .acquire(node: "d", offer: 2, instances: 1)])
        planner.acquired("w", node: "c", lease: 1, now: 0)
        planner.acquired("w", node: "b", lease: 2, now: 0)
        planner.acquired("w", node: "d", lease: 3, now: 0)
        // Low from 10 s (2 × 4 ≤ (7 − 1) × 2): after down-after, the leases the demand does not
        // need, newest first: d (1) and b (2) go, c's 3 stay (2 × 4 > (7 − 1 − 2 − 3) × 2).
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 4, candidates: [], now: 10 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 4, candidates: [], now: 15 * s)
            == [.release(node: "d", lease: 3), .release(node: "b", lease: 2)])
        #expect(planner.leases("w").map(\.state) == [.active, .releasing, .releasing])
        let endedD = planner.ended(node: "d", lease: 3)
        let endedB = planner.ended(node: "b", lease: 2)
        #expect(endedD == "w" && endedB == "w")
        // Idle from 16 s: down-after counts afresh from there, so the rest goes at 21 s.
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [], now: 16 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [], now: 20 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [], now: 21 * s)
            == [.release(node: "c", lease: 1)])
        let endedC = planner.ended(node: "c", lease: 1)
        #expect(endedC == "w" && planner.leases("w").isEmpty)
        // Idle with several leases: all of them in one decision.
        var idle = BurstPlanner()
        let wide = BurstRule(target: 1, upAfter: 0, downAfter: 5 * s, cooldown: 1 * s, maximum: 10)
        let e = ComputeCandidate(node: "e", offer: 4, available: 1, load: 0, distance: 1)
        #expect(idle.decide("w", rule: wide, instances: 2, atMaximum: true, demand: 6, candidates: [Self.b, Self.c, e], now: 0).count == 3)
        idle.acquired("w", node: "b", lease: 7, now: 0)
        idle.acquired("w", node: "c", lease: 8, now: 0)
        idle.acquired("w", node: "e", lease: 9, now: 0)
        #expect(idle.decide("w", rule: wide, instances: 2, atMaximum: true, demand: 0, candidates: [], now: 1 * s) == [])
        #expect(idle.decide("w", rule: wide, instances: 2, atMaximum: true, demand: 0, candidates: [], now: 6 * s)
            == [.release(node: "e", lease: 9), .release(node: "b", lease: 7), .release(node: "c", lease: 8)])
        #expect(idle.leases("w").allSatisfy { $0.state == .releasing })
    }

    @Test func aRefusingOrVanishedNodeIsAvoidedForAWhile() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 1, upAfter: 0, downAfter: 60 * s, cooldown: 0, maximum: 4)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b], now: 0)
            == [.acquire(node: "b", offer: 7, instances: 2)])
        planner.acquireFailed("w", node: "b", now: 1 * s)
        #expect(planner.leases("w").isEmpty)
        // A grant that arrives after the request was given up is not kept (the caller releases it).
        let late = planner.acquired("w", node: "b", lease: 8, now: 1 * s)
        #expect(!late && planner.leases("w").isEmpty)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b], now: 2 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 3 * s)
            == [.acquire(node: "c", offer: 3, instances: 4)])
        planner.acquired("w", node: "c", lease: 5, now: 3 * s)
        let gone = planner.nodeGone("c", now: 4 * s)
        #expect(gone.map(\.name) == ["w"] && gone.map(\.lease) == [5])
        #expect(planner.leases("w").isEmpty)
        // Neither b nor c for 30 s; then b again.
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 20 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.b, Self.c], now: 32 * s)
            == [.acquire(node: "b", offer: 7, instances: 2)])
    }

    @Test func aNodeWithoutAFreeSlotIsNotAskedAndActiveLeasesAreRenewedAtHalfTheirTTL() {
        var planner = BurstPlanner()
        let s = Self.second
        let rule = BurstRule(target: 1, upAfter: 0, downAfter: 3600 * s, cooldown: 0, maximum: 4)
        let full = ComputeCandidate(node: "b", offer: 7, available: 0, load: 0, distance: 1)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [full], now: 0) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 5, candidates: [Self.c], now: 1 * s)
            == [.acquire(node: "c", offer: 3, instances: 4)])
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
        leases.drainLater("calc", count: 1, limit: 4)
        let first = leases.joinedMustDrain("calc")
        let second = leases.joinedMustDrain("calc")
        #expect(first && !second)
    }

    /// A step of demand to twice the target or more leases after `surge-after`, sized to the
    /// excess, where plain load waits `up-after` (docs/pooling.md "Surges"); the candidates
    /// are read only for the acquire.
    @Test func aSurgeLeasesAfterSurgeAfter() {
        var planner = BurstPlanner()
        let s = Self.second
        let ms = s / 1000
        let rule = BurstRule(target: 2, upAfter: 1 * s, surgeAfter: 100 * ms, downAfter: 5 * s, cooldown: 1 * s,
                             maximum: 10)
        var reads = 0
        func candidates() -> [ComputeCandidate] {
            reads += 1
            return [Self.b, Self.c]
        }
        // 2 instances at target 2: demand 6 is loaded, not a surge; 8 is.
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 6, candidates: candidates(), now: 0) == [])
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 6, candidates: candidates(),
                               now: 500 * ms) == [])
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 8, candidates: candidates(),
                               now: 600 * ms) == [])
        #expect(reads == 0)
        #expect(planner.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 16, candidates: candidates(),
                               now: 700 * ms) == [.acquire(node: "c", offer: 3, instances: 4), .acquire(node: "b", offer: 7, instances: 2)])
        #expect(reads == 1)
        // Plain load alone still waits up-after.
        var steady = BurstPlanner()
        #expect(steady.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 7, candidates: candidates(), now: 0) == [])
        #expect(steady.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 7, candidates: candidates(),
                              now: 900 * ms) == [])
        #expect(steady.decide("w", rule: rule, instances: 2, atMaximum: true, demand: 7, candidates: candidates(),
                              now: 1 * s) == [.acquire(node: "c", offer: 3, instances: 1), .acquire(node: "b", offer: 7, instances: 1)])
    }

    /// A surge right after every lease was released and ended still waits for the cooldown:
    /// before (a second reader's finding), the planner forgot the zenka once nothing was held,
    /// and with it when it last changed.
    @Test func aSurgeRightAfterAReleaseWaitsForTheCooldown() {
        var planner = BurstPlanner()
        let s = Self.second
        let ms = s / 1000
        let rule = BurstRule(target: 1, upAfter: 5 * s, surgeAfter: 0, downAfter: 1 * s, cooldown: 3 * s, maximum: 4)
        let acquired = planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 3, candidates: [Self.b], now: 0)
        #expect(acquired == [.acquire(node: "b", offer: 7, instances: 2)])
        planner.acquired("w", node: "b", lease: 5, now: 0)
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [Self.b], now: 1 * s) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [Self.b], now: 3 * s)
            == [.release(node: "b", lease: 5)])
        #expect(planner.ended(node: "b", lease: 5) == "w")
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 0, candidates: [Self.b],
                               now: 3200 * ms) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 3, candidates: [Self.b],
                               now: 3500 * ms) == [])
        #expect(planner.decide("w", rule: rule, instances: 1, atMaximum: true, demand: 3, candidates: [Self.b], now: 6 * s)
            == [.acquire(node: "b", offer: 7, instances: 2)])
    }
}
