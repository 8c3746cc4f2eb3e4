/// A resource a zenka offers (`offer <kind> <capacity> [key=value…]`).
package struct Offer: Equatable, Sendable {
    package let id: UInt64
    package let kind: String
    /// Total capacity in the offer's unit (bytes for sizes given with a unit).
    package let capacity: UInt64
    package let attributes: [String]
    package let provider: SessionID
    package let providerUser: String
    package let created: Int64
    /// What a consumer must satisfy (`offer … require <expression>`); nil = anyone.
    package let requirement: Expression?
    /// Capacity promised to leases that are active or being requested.
    package internal(set) var committed: UInt64 = 0
    /// Set for an offer restored from the store whose provider has not offered again yet:
    /// monotonic nanoseconds when it is withdrawn (`provider-gone`) unless it does.
    package internal(set) var detachedUntil: UInt64?

    /// Capacity that can still be acquired.
    package var available: UInt64 { capacity - min(capacity, committed) }

    /// What an offer costs its provider's memory share (docs/security.md "Resource limits").
    static func memoryCost(kind: String, attributes: [String], requirement: Expression? = nil) -> Int {
        // A parsed requirement takes about four times its text.
        let required = requirement.map { ExpressionRendering.render($0).utf8.count * 4 } ?? 0
        return attributes.reduce(256 + kind.utf8.count + required) { $0 + $1.utf8.count + 16 }
    }

    /// Whether a consumer meets the offer's requirement (`user`, `node`, `amount` and `ttl`
    /// are its names: docs/market.md "Requirements"); true without one.
    package func admits(user: String, node: String, amount: UInt64, ttl: UInt64) -> Bool {
        guard let requirement else { return true }
        return requirement.holds { name in
            switch name {
            case "user": .string(user)
            case "node": .string(node)
            case "amount": .number(Double(amount))
            case "ttl": .number(Double(ttl))
            default: nil
            }
        }
    }

    /// `price=<credits per unit per hour>` in millicredits; 0 when absent or malformed.
    package var price: Int64 { attribute("price").flatMap(Ledger.millicredits) ?? 0 }

    /// The value of attribute `key` (`price=2` → `2`), nil if the offer has none.
    package func attribute(_ key: String) -> String? {
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "="), attribute[..<equals] == key else { continue }
            return String(attribute[attribute.index(after: equals)...])
        }
        return nil
    }
}
