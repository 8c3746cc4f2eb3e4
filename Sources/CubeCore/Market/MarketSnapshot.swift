/// Everything the store holds of the market.
public struct MarketSnapshot: Equatable, Sendable {
    public var offers: [OfferRecord]
    public var leases: [LeaseRecord]
    public var nextOfferID: UInt64
    public var nextLeaseID: UInt64

    public init(offers: [OfferRecord] = [], leases: [LeaseRecord] = [], nextOfferID: UInt64 = 1, nextLeaseID: UInt64 = 1) {
        self.offers = offers
        self.leases = leases
        self.nextOfferID = nextOfferID
        self.nextLeaseID = nextLeaseID
    }
}
