@testable import CubeNet
import Testing

/// Discovery's signature checks per second, in all and per sender (docs/network.md
/// "Discovery"): a flood from one address spent the one shared budget, and genuine
/// announcements were refused until the flood stopped (no link within 25 s at 1,700/s).
@Suite struct SignatureCheckBudgetTests {
    @Test func aFloodFromOneSenderLeavesTheOthersTheirChecks() {
        var budget = SignatureCheckBudget(perSecond: 32, perSender: 4)
        let flood = (0..<1700).filter { _ in budget.spend(for: "10.77.0.9", at: 100) }.count
        #expect(flood == 4)
        // The genuine node, in the same second, still gets its check.
        let genuine = budget.spend(for: "10.77.0.2", at: 100)
        #expect(genuine)
    }

    @Test func theTotalStaysBoundedWhateverTheSenders() {
        var budget = SignatureCheckBudget(perSecond: 32, perSender: 4)
        let spent = (0..<1000).filter { budget.spend(for: "10.0.\($0 / 200).\($0 % 200)", at: 7) }.count
        #expect(spent == 32)
        // A new second, a new budget.
        let next = budget.spend(for: "10.0.0.0", at: 8)
        #expect(next)
    }
}
