/// A resource offer as a link-state advert carries it across the network: only what another
/// node needs to list and choose it (`offer: <id> <kind> <capacity> <available> [key=value…]`).
package struct AdvertOffer: Equatable, Hashable, Sendable {
    /// The offer id on its origin node (unique per origin, not network-wide).
    package let id: UInt64
    /// The offer kind (a command or user name, as `offer <kind>` accepts).
    package let kind: String
    /// Total capacity in the offer's unit.
    package let capacity: UInt64
    /// Capacity that could still be acquired when the advert was issued (at most `capacity`).
    package let available: UInt64
    /// The offer's `key=value` attributes that fit the advert's line, in order (matchmaking
    /// reads them network-wide: docs/market.md).
    package let attributes: [String]

    /// The most attributes an advertised offer carries.
    package static let maximumAttributes = 16

    /// Creates an advertised offer.
    /// - Parameters:
    ///   - id: the offer id on the origin node.
    ///   - kind: the offer kind.
    ///   - capacity: total capacity.
    ///   - available: capacity still free.
    ///   - attributes: `key=value` words.
    package init(id: UInt64, kind: String, capacity: UInt64, available: UInt64, attributes: [String] = []) {
        self.id = id
        self.kind = kind
        self.capacity = capacity
        self.available = available
        self.attributes = attributes
    }

    /// The advertised form of a local offer.
    /// - Parameters:
    ///   - offer: an offer held by the local router.
    ///   - reputation: its provider's reputation attributes (docs/market.md "Reputation"),
    ///     carried first so that they always fit.
    /// The `price` comes next: other nodes check credit and the grant against it (an offer
    /// whose long attributes pushed its price off the line looked free elsewhere).
    /// Attributes that are not well formed, or do not fit the line, are left out.
    package init(_ offer: Offer, reputation: [String] = []) {
        var length = "offer: \(offer.id) \(offer.kind) \(offer.capacity) \(offer.available)".utf8.count
        var attributes: [String] = []
        let priced = offer.attributes.filter { $0.hasPrefix("price=") }
        let others = offer.attributes.filter { !$0.hasPrefix("price=") }
        for attribute in reputation + priced + others where Self.isAttribute(attribute) && attributes.count < Self.maximumAttributes {
            guard length + 1 + attribute.utf8.count <= LinkStateAdvert.maximumLineBytes else { break }
            length += 1 + attribute.utf8.count
            attributes.append(attribute)
        }
        self.init(id: offer.id, kind: offer.kind, capacity: offer.capacity, available: offer.available, attributes: attributes)
    }

    /// This offer with `attribute` added at the end, if it fits the count and the advert's
    /// line; else unchanged (a line too long would make other nodes reject the whole advert).
    package func adding(_ attribute: String) -> AdvertOffer {
        let line = "offer: \(id) \(kind) \(capacity) \(available)".utf8.count + attributes.reduce(0) { $0 + 1 + $1.utf8.count }
        guard attributes.count < Self.maximumAttributes, line + 1 + attribute.utf8.count <= LinkStateAdvert.maximumLineBytes
        else { return self }
        return AdvertOffer(id: id, kind: kind, capacity: capacity, available: available, attributes: attributes + [attribute])
    }

    /// `key=value`, printable ASCII without blanks, the key not empty.
    static func isAttribute(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } && text.contains("=") && !text.hasPrefix("=")
    }

    /// True if the kind has a valid shape and `available` does not exceed `capacity`.
    package var isWellFormed: Bool {
        (Names.isCommandName(kind.utf8) || Names.isUserName(kind.utf8)) && available <= capacity
            && attributes.count <= Self.maximumAttributes && attributes.allSatisfy(Self.isAttribute)
    }
}
