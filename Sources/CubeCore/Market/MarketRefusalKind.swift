extension MarketRefusal {
    /// A market refusal without its details, as read back from a `FALSE` reply's text (the
    /// mount turns it into a `write()` errno: docs/market.md "The market as files").
    package enum Kind: Equatable, Sendable {
        case noSuchOffer, invalidAmount, invalidTTL, insufficientCapacity, providerAbsent, requirementNotMet
        case noSuchLease, notYours, insufficientCredit, tooCostly, grantRefused
        /// A `usage: …` line (a command with the wrong words).
        case usage

        /// The kind of the refusal whose ``MarketRefusal/text`` is `text`; nil for any other
        /// `FALSE` (a provider's own refusal, a route timeout).
        package init?(replyText text: String) {
            let rules: [(Kind, (String) -> Bool)] = [
                (.noSuchOffer, { $0.hasPrefix("no such offer '") }),
                (.invalidAmount, { $0.hasPrefix("invalid amount '") }),
                (.invalidTTL, { $0.hasPrefix("invalid ttl '") }),
                (.insufficientCapacity, { $0.hasPrefix("insufficient capacity [") }),
                (.providerAbsent, { $0 == Wire.clientNotPresent }),
                (.requirementNotMet, { $0.hasPrefix("offer ") && $0.hasSuffix(" requires what you do not meet") }),
                (.noSuchLease, { $0.hasPrefix("no such lease '") }),
                (.notYours, { $0.hasPrefix("lease ") && $0.hasSuffix(" is not yours") }),
                (.insufficientCredit, { $0.hasPrefix("insufficient credit [") }),
                (.tooCostly, { $0.hasPrefix("lease too costly [") }),
                (.grantRefused, { $0.hasPrefix("grant refused [") }),
                (.usage, { $0.hasPrefix("usage: ") }),
            ]
            guard let kind = rules.first(where: { $0.1(text) })?.0 else { return nil }
            self = kind
        }
    }

    /// This refusal's kind.
    package var kind: Kind {
        switch self {
        case .noSuchOffer: .noSuchOffer
        case .invalidAmount: .invalidAmount
        case .invalidTTL: .invalidTTL
        case .insufficientCapacity: .insufficientCapacity
        case .providerAbsent: .providerAbsent
        case .requirementNotMet: .requirementNotMet
        case .noSuchLease: .noSuchLease
        case .notYours: .notYours
        case .insufficientCredit: .insufficientCredit
        case .tooCostly: .tooCostly
        case .grantRefused: .grantRefused
        }
    }
}
