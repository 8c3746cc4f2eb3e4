/// An offer as the durable store keeps it (docs/market.md "Storage"): no session, the
/// requirement as text.
public struct OfferRecord: Equatable, Sendable {
    public var id: UInt64
    public var kind: String
    public var capacity: UInt64
    public var attributes: [String]
    /// The requirement in its rendered form, nil for none.
    public var requirement: String?
    public var providerUser: String
    public var created: Int64

    public init(id: UInt64, kind: String, capacity: UInt64, attributes: [String], requirement: String?,
                providerUser: String, created: Int64) {
        self.id = id
        self.kind = kind
        self.capacity = capacity
        self.attributes = attributes
        self.requirement = requirement
        self.providerUser = providerUser
        self.created = created
    }
}
