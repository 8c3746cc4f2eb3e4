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
}
