@testable import CubeCore
import Testing

/// When a balanced zenka grows and shrinks (docs/pooling.md "Scaling"), without a router.
@Suite struct ScalePlannerTests {
    static let second: UInt64 = 1_000_000_000
    static let rule = ScaleRule(minimum: 1, maximum: 3, target: 2, upAfter: 2 * second, downAfter: 5 * second,
                                cooldown: 3 * second)

    @Test func growsOnlyAfterSustainedLoadAndNeverPastTheMaximum() {
        var planner = ScalePlanner()
        let s = Self.second
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 2, waiting: 0, now: 0) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 1, waiting: 0, now: 1 * s) == nil)
        // The load dipped: the clock starts again.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 2, waiting: 0, now: 2 * s) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 1, waiting: 1, now: 4 * s) == .up)
        #expect(planner.starting("w") == 1)
        // The asked-for instance counts as capacity: 3 outstanding for 2 is not past the target.
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 3, waiting: 0, now: 8 * s) == nil)
        planner.joined("w")
        #expect(planner.decide("w", rule: Self.rule, instances: 2, outstanding: 4, waiting: 0, now: 9 * s) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 2, outstanding: 4, waiting: 0, now: 11 * s) == .up)
        planner.joined("w")
        #expect(planner.decide("w", rule: Self.rule, instances: 3, outstanding: 60, waiting: 9, now: 20 * s) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 3, outstanding: 60, waiting: 9, now: 30 * s) == nil)
    }

    @Test func shrinksAfterSustainedLowLoadWithACooldownAndKeepsTheMinimum() {
        var planner = ScalePlanner()
        let s = Self.second
        #expect(planner.decide("w", rule: Self.rule, instances: 3, outstanding: 2, waiting: 0, now: 0) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 3, outstanding: 2, waiting: 0, now: 5 * s) == .down)
        // Low again at once, but the cooldown holds the next change back.
        #expect(planner.decide("w", rule: Self.rule, instances: 2, outstanding: 0, waiting: 0, now: 6 * s) == nil)
        #expect(planner.decide("w", rule: Self.rule, instances: 2, outstanding: 0, waiting: 0, now: 11 * s) == .down)
        #expect(planner.decide("w", rule: Self.rule, instances: 1, outstanding: 0, waiting: 0, now: 30 * s) == nil)
    }

    @Test func withNoInstanceAWaitingCommandStartsOneAtOnceAndAFailureForgetsIt() {
        var planner = ScalePlanner()
        let onDemand = ScaleRule(minimum: 0, maximum: 1, target: 4, upAfter: 60 * Self.second, downAfter: 0, cooldown: 0)
        #expect(planner.decide("w", rule: onDemand, instances: 0, outstanding: 0, waiting: 0, now: 0) == nil)
        #expect(planner.decide("w", rule: onDemand, instances: 0, outstanding: 0, waiting: 1, now: 1) == .up)
        #expect(planner.decide("w", rule: onDemand, instances: 0, outstanding: 0, waiting: 2, now: 2) == nil)
        planner.startFailed("w")
        #expect(planner.decide("w", rule: onDemand, instances: 0, outstanding: 0, waiting: 1, now: 3) == .up)
        // An instance that never logs in stops counting after the grace.
        #expect(planner.decide("w", rule: onDemand, instances: 0, outstanding: 0, waiting: 1,
                               now: 3 + ScalePlanner.startGrace) == .up)
    }

    /// Demand at twice the target or more grows after `surge-after`, not `up-after`
    /// (docs/pooling.md "Surges"); plain load still waits `up-after`, and the cooldown holds.
    @Test func aSurgeGrowsAfterSurgeAfterAndPlainLoadAfterUpAfter() {
        var planner = ScalePlanner()
        let s = Self.second
        let ms = s / 1000
        let rule = ScaleRule(minimum: 1, maximum: 4, target: 2, upAfter: 2 * s, surgeAfter: 200 * ms, downAfter: 5 * s,
                             cooldown: 1 * s)
        // At the target (2 for 1 instance), not twice it: up-after counts.
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 1, now: 0) == nil)
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 1, now: 1 * s) == nil)
        // Twice the target from 1.5 s: 0.2 s later it grows, before the 2 s of plain load.
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 2, now: 1500 * ms) == nil)
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 2, now: 1600 * ms) == nil)
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 2, now: 1700 * ms) == .up)
        // The surge goes on (8 for 2 instances, one starting): the cooldown holds the next one back.
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 6, now: 2000 * ms) == nil)
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 6, now: 2600 * ms) == nil)
        #expect(planner.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 6, now: 2700 * ms) == .up)
        // A blip of twice the target shorter than surge-after grows nothing.
        var calm = ScalePlanner()
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 3, now: 0) == nil)
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 3, now: 100 * ms) == nil)
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 1, waiting: 0, now: 150 * ms) == nil)
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 3, now: 200 * ms) == nil)
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 3, now: 300 * ms) == nil)
        #expect(calm.decide("w", rule: rule, instances: 1, outstanding: 2, waiting: 3, now: 400 * ms) == .up)
    }
}
