/// Everything the store holds of the market.
public struct MarketSnapshot: Equatable, Sendable {
    public var offers: [OfferRecord]
    public var leases: [LeaseRecord]
    public var nextOfferID: UInt64
    public var nextLeaseID: UInt64
    /// Balances in millicredits, by user.
    public var balances: [String: Int64] = [:]
    /// The latest ledger entries, oldest first (for `statement`).
    public var entries: [LedgerEntry] = []
    /// Each provider's record, by providing user.
    public var reputations: [String: Reputation] = [:]
    /// Usage receipts (docs/market.md "Usage receipts"): the tabs and accounts, and the
    /// receipts still needed — those not acknowledged and those of the accounts.
    public var tabs: [PayerTab] = []
    public var accounts: [PayeeAccount] = []
    public var receipts: [UsageReceipt] = []

    public init(offers: [OfferRecord] = [], leases: [LeaseRecord] = [], nextOfferID: UInt64 = 1, nextLeaseID: UInt64 = 1) {
        self.offers = offers
        self.leases = leases
        self.nextOfferID = nextOfferID
        self.nextLeaseID = nextLeaseID
    }
}
