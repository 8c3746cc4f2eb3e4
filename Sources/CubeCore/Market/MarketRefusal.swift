/// Why the market refused a request; ``text`` is the exact `FALSE` reply (docs/protocol.md §8.1).
package enum MarketRefusal: Error, Equatable, Sendable {
    case noSuchOffer(String)
    case invalidAmount(String)
    case invalidTTL(String)
    case insufficientCapacity(available: UInt64)
    case providerAbsent
    case requirementNotMet(offer: UInt64)
    case noSuchLease(String)
    case notYours(lease: UInt64)
    case insufficientCredit(balance: Int64)
    /// `price × amount` is more than ``Market/maximumHourlyCost`` an hour.
    case tooCostly
    /// Another node granted `offer` (`<node>:<id>`) other than asked (`why`: a price above
    /// its advert's, more than the amount asked, charging from another time; and whether it
    /// was given back).
    case grantRefused(offer: String, why: String)

    /// The reply text.
    package var text: String {
        switch self {
        case .noSuchOffer(let offer): "no such offer '\(offer)'"
        case .invalidAmount(let amount): "invalid amount '\(amount)'"
        case .invalidTTL(let ttl): "invalid ttl '\(ttl)' [ 1...\(Market.maximumLeaseTTL) seconds ]"
        case .insufficientCapacity(let available): "insufficient capacity [ \(available) available ]"
        case .providerAbsent: Wire.clientNotPresent
        case .requirementNotMet(let offer): "offer \(offer) requires what you do not meet"
        case .noSuchLease(let lease): "no such lease '\(lease)'"
        case .notYours(let lease): "lease \(lease) is not yours"
        case .insufficientCredit(let balance): "insufficient credit [ balance \(Ledger.credits(balance)) ]"
        case .tooCostly: "lease too costly [ price × amount above \(Market.maximumHourlyCost / 1000) credits an hour ]"
        case .grantRefused(let offer, let why): "grant refused [ \(offer) \(why) ]"
        }
    }
}
