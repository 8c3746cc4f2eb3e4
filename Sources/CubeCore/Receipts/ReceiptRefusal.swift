/// Why the payee refused a receipt (docs/market.md "Usage receipts"); the word goes back to
/// the payer in a `refused` line of the `usage-acks` record.
package enum ReceiptRefusal: Equatable, Sendable {
    /// The text form does not parse.
    case malformed
    /// Not addressed to this node, or to its key.
    case notForUs
    /// The payer's key is not the one this node holds for it, or its signature does not verify.
    case forged
    /// No priced lease of that payer with that id.
    case unknownLease
    /// The same lease and sequence accepted before with other contents.
    case conflict
    /// Not the next sequence number, or the period does not start where the last one ended.
    case outOfOrder
    /// The amount is not what the lease costs for the period.
    case wrongAmount
    /// The period ends in the future (beyond the allowed clock skew).
    case future
    /// The lease ended here at that time; the period runs past it.
    case ended(Int64)

    /// The word(s) of a `refused` line.
    package var text: String {
        switch self {
        case .malformed: "malformed"
        case .notForUs: "not-for-us"
        case .forged: "forged"
        case .unknownLease: "unknown-lease"
        case .conflict: "conflict"
        case .outOfOrder: "out-of-order"
        case .wrongAmount: "wrong-amount"
        case .future: "future"
        case .ended(let wall): "ended \(wall)"
        }
    }

    /// Parses ``text``.
    package init?(text: some StringProtocol) {
        let words = String(text).split(separator: " ").map(String.init)
        switch words {
        case ["malformed"]: self = .malformed
        case ["not-for-us"]: self = .notForUs
        case ["forged"]: self = .forged
        case ["unknown-lease"]: self = .unknownLease
        case ["conflict"]: self = .conflict
        case ["out-of-order"]: self = .outOfOrder
        case ["wrong-amount"]: self = .wrongAmount
        case ["future"]: self = .future
        default:
            guard words.count == 2, words[0] == "ended", let wall = Int64(words[1]) else { return nil }
            self = .ended(wall)
        }
    }
}
