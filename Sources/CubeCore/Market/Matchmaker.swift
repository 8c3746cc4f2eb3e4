/// Picks the best offer for `acquire <kind> <amount> … [where …] [rank …]` (docs/market.md
/// "Matchmaking"): among the candidates of that kind with `amount` available whose
/// attributes meet the requirement, the one whose rank is highest. Without `rank` the rank
/// is `-price` (cheapest first). A candidate whose rank is not a number ranks below all
/// others. Ties go to the provider with the better reputation, then the nearest, then to
/// the node name, then the offer id, so the choice is the same on every run.
package enum Matchmaker {
    /// The rank used when `acquire` names none.
    package static let defaultRank: Expression = .negate(.name("price"))

    /// The best candidate, or nil if none qualifies.
    package static func best(_ candidates: [MarketCandidate], kind: String, amount: UInt64, requirement: Expression?,
                            rank: Expression?) -> MarketCandidate? {
        let rank = rank ?? defaultRank
        var best: (candidate: MarketCandidate, score: Double?)?
        for candidate in candidates where candidate.kind == kind && candidate.available >= amount {
            if let requirement, !requirement.holds(candidate.value) { continue }
            var score: Double?
            if case .number(let value) = rank.evaluate(candidate.value), !value.isNaN { score = value }
            if let current = best, !better(candidate, score, than: current.candidate, current.score) { continue }
            best = (candidate, score)
        }
        return best?.candidate
    }

    /// The order of ``best(_:kind:amount:requirement:rank:)``: a higher score, then a better
    /// reputation, then nearer, then node name, then offer id.
    package static func better(_ a: MarketCandidate, _ aScore: Double?, than b: MarketCandidate, _ bScore: Double?) -> Bool {
        switch (aScore, bScore) {
        case (.some(let x), .some(let y)) where x != y: return x > y
        case (.some, .none): return true
        case (.none, .some): return false
        default: break
        }
        // Between equal ranks, the provider that kept its leases (docs/market.md "Reputation").
        let (aReputation, bReputation) = (a.reputation, b.reputation)
        if aReputation != bReputation { return aReputation > bReputation }
        if a.distance != b.distance { return a.distance < b.distance }
        if a.node != b.node { return Array(a.node.utf8).lexicographicallyPrecedes(b.node.utf8) }
        return a.offer < b.offer
    }
}
