/// A resource offer as a link-state advert carries it across the network: only what another
/// node needs to list and choose it (`offer: <id> <kind> <capacity> <available>`).
public struct AdvertOffer: Equatable, Hashable, Sendable {
    /// The offer id on its origin node (unique per origin, not network-wide).
    public let id: UInt64
    /// The offer kind (a command or user name, as `offer <kind>` accepts).
    public let kind: String
    /// Total capacity in the offer's unit.
    public let capacity: UInt64
    /// Capacity that could still be acquired when the advert was issued (at most `capacity`).
    public let available: UInt64

    /// Creates an advertised offer.
    /// - Parameters:
    ///   - id: the offer id on the origin node.
    ///   - kind: the offer kind.
    ///   - capacity: total capacity.
    ///   - available: capacity still free.
    public init(id: UInt64, kind: String, capacity: UInt64, available: UInt64) {
        self.id = id
        self.kind = kind
        self.capacity = capacity
        self.available = available
    }

    /// The advertised form of a local offer.
    /// - Parameter offer: an offer held by the local router.
    public init(_ offer: Offer) {
        self.init(id: offer.id, kind: offer.kind, capacity: offer.capacity, available: offer.available)
    }

    /// True if the kind has a valid shape and `available` does not exceed `capacity`.
    public var isWellFormed: Bool {
        (Names.isCommandName(kind.utf8) || Names.isUserName(kind.utf8)) && available <= capacity
    }
}
