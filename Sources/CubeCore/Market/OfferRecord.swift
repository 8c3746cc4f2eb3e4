/// An offer as the durable store keeps it (docs/market.md "Storage"): no session, the
/// requirement as text.
package struct OfferRecord: Equatable, Sendable {
    package var id: UInt64
    package var kind: String
    package var capacity: UInt64
    package var attributes: [String]
    /// The requirement in its rendered form, nil for none.
    package var requirement: String?
    package var providerUser: String
    package var created: Int64

    package init(id: UInt64, kind: String, capacity: UInt64, attributes: [String], requirement: String?,
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
