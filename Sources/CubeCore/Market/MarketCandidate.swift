/// An offer as matchmaking sees it, local or from another node's advert (docs/market.md
/// "Matchmaking").
package struct MarketCandidate: Equatable, Sendable {
    /// The providing node.
    package let node: String
    /// The offer id on that node.
    package let offer: UInt64
    package let kind: String
    package let capacity: UInt64
    package let available: UInt64
    /// `key=value` words.
    package let attributes: [String]
    /// Cost of the path to the providing node (0 for this node).
    package let distance: UInt64
    /// The providing user (a local offer) or node (another node's offer).
    package let provider: String

    package init(node: String, offer: UInt64, kind: String, capacity: UInt64, available: UInt64, attributes: [String],
                distance: UInt64, provider: String) {
        self.node = node
        self.offer = offer
        self.kind = kind
        self.capacity = capacity
        self.available = available
        self.attributes = attributes
        self.distance = distance
        self.provider = provider
    }

    /// The value of a name in `where` and `rank`: `kind`, `node`, `provider`, `capacity`,
    /// `available`, `distance`, `offer`, else the attribute of that key; `price` is 0 when
    /// the offer names none; the reputation counters (`granted`, `refused`, `ended_early`,
    /// `honoured`) are 0, `uptime` 100, when the offer carries none, and `reputation` is the
    /// provider's score (docs/market.md "Reputation").
    package func value(of name: String) -> ExpressionValue? {
        switch name {
        case "kind": return .string(kind)
        case "node": return .string(node)
        case "provider": return .string(provider)
        case "capacity": return .number(Double(capacity))
        case "available": return .number(Double(available))
        case "distance": return .number(Double(distance))
        case "offer": return .number(Double(offer))
        default: break
        }
        for attribute in attributes {
            guard let equals = attribute.firstIndex(of: "="), attribute[..<equals] == name else { continue }
            return .attribute(String(attribute[attribute.index(after: equals)...]))
        }
        switch name {
        case "price", "granted", "refused", "ended_early", "honoured": return .number(0)
        case "uptime": return .number(100)
        case "reputation": return .number(reputation)
        default: return nil
        }
    }

    /// The provider's reputation score (``Reputation/score(granted:refused:endedEarly:honoured:uptime:)``)
    /// from the attributes that carry its record; a newcomer's is 0.5.
    package var reputation: Double {
        func number(_ name: String) -> Double {
            if case .number(let value)? = value(of: name) { return value }
            return 0
        }
        return Reputation.score(granted: number("granted"), refused: number("refused"), endedEarly: number("ended_early"),
                                honoured: number("honoured"), uptime: number("uptime"))
    }
}
