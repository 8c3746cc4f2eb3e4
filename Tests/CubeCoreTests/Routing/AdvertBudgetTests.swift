@testable import CubeCore
import Testing

/// The budget of adverts for new instances between ticks (docs/pooling.md "Surges").
@Suite struct AdvertBudgetTests {
    @Test func fiveAtOnceThenOneEveryTwoSecondsNeverMoreThanFiveSaved() {
        var budget = AdvertBudget()
        let s: UInt64 = 1_000_000_000
        #expect((0..<6).map { _ in budget.take(now: 10 * s) } == [true, true, true, true, true, false])
        #expect(budget.take(now: 11 * s) == false)
        #expect(budget.take(now: 12 * s) == true)
        #expect(budget.take(now: 13 * s) == false)
        // A minute of quiet saves five, not thirty.
        #expect((0..<6).map { _ in budget.take(now: 72 * s) } == [true, true, true, true, true, false])
    }
}
