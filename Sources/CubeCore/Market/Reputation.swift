/// What this node saw of one provider (docs/market.md "Reputation"): leases it granted,
/// refused (or left unanswered), ended early (its offer withdrawn or its session gone while
/// leases ran) and honoured (ran to their end, or ended by their consumer), and how much of
/// the time since it first offered here it had a live offer (uptime).
///
/// Pure: time is unix seconds, passed in.
package struct Reputation: Equatable, Sendable {
    package var granted: UInt64 = 0
    package var refused: UInt64 = 0
    package var endedEarly: UInt64 = 0
    package var honoured: UInt64 = 0
    /// Unix seconds when the provider first offered on this node.
    package var firstSeen: Int64
    /// Seconds it had a live offer, up to ``observed``.
    package var onlineSeconds: Int64 = 0
    /// Unix seconds of the last observation (``observe(online:wall:)``).
    package var observed: Int64
    /// Whether it had a live offer at the last observation.
    package var online = false

    /// The names reputation adds to `where` and `rank` (and the attributes that carry it in
    /// offers and adverts).
    package static let names = ["granted", "refused", "ended_early", "honoured", "uptime", "reputation"]

    /// A provider first seen at `wall`.
    package init(firstSeen wall: Int64) {
        firstSeen = wall
        observed = wall
    }

    /// How a lease ended, for its provider's record.
    package enum Outcome: Equatable, Sendable {
        case granted, refused, endedEarly, honoured

        /// The outcome of a lease that ended with `lease-end <id> <reason>` (docs/protocol.md
        /// §8.1): its offer withdrawn or its provider gone is early; expiry, release, the
        /// consumer gone or out of credit is honoured.
        package init?(endReason reason: String) {
            switch reason {
            case "offer-withdrawn", "offer-provider-gone": self = .endedEarly
            case "expired", "released", "consumer-gone", "out-of-credit": self = .honoured
            default: return nil
            }
        }
    }

    /// Counts one outcome.
    package mutating func record(_ outcome: Outcome) {
        switch outcome {
        case .granted: granted += 1
        case .refused: refused += 1
        case .endedEarly: endedEarly += 1
        case .honoured: honoured += 1
        }
    }

    /// The provider is seen `online` (with a live offer) at `wall`: the time since the last
    /// observation counts as online if it was online then.
    package mutating func observe(online: Bool, wall: Int64) {
        if self.online, wall > observed { onlineSeconds += wall - observed }
        observed = max(observed, wall)
        self.online = online
    }

    /// Percent of the time since ``firstSeen`` with a live offer, as of `wall` (100 before
    /// any time has passed).
    package func uptime(at wall: Int64) -> Int {
        let total = max(wall, observed) - firstSeen
        guard total > 0 else { return 100 }
        let online = onlineSeconds + (self.online ? max(0, wall - observed) : 0)
        return Int(min(100, online * 100 / total))
    }

    /// One number for ranking, 0 to 1: `(honoured + 1) / (honoured + 2 × ended_early +
    /// refused + 2) × uptime / 100`. A newcomer with full uptime scores 0.5; each lease ended
    /// early weighs twice a refusal.
    package static func score(granted: Double, refused: Double, endedEarly: Double, honoured: Double, uptime: Double) -> Double {
        (honoured + 1) / (honoured + 2 * endedEarly + refused + 2) * min(100, max(0, uptime)) / 100
    }

    /// The attributes that carry this record in an offer (`granted=3 … uptime=97`): only those
    /// that differ from a newcomer's (zero counts, 100 % uptime), so a fresh provider's offers
    /// carry none.
    package func attributes(at wall: Int64) -> [String] {
        var words: [String] = []
        for (name, value) in [("granted", granted), ("refused", refused), ("ended_early", endedEarly), ("honoured", honoured)]
        where value > 0 {
            words.append("\(name)=\(value)")
        }
        let uptime = uptime(at: wall)
        if uptime < 100 { words.append("uptime=\(uptime)") }
        return words
    }
}
