/// Everything the store holds of the market.
package struct MarketSnapshot: Equatable, Sendable {
    package var offers: [OfferRecord]
    package var leases: [LeaseRecord]
    package var nextOfferID: UInt64
    package var nextLeaseID: UInt64
    /// Balances in millicredits, by user.
    package var balances: [String: Int64] = [:]
    /// The latest ledger entries, oldest first (for `statement`).
    package var entries: [LedgerEntry] = []
    /// Each provider's record, by providing user.
    package var reputations: [String: Reputation] = [:]
    /// Usage receipts (docs/market.md "Usage receipts"): the tabs and accounts, and the
    /// receipts still needed — those not acknowledged and those of the accounts.
    package var tabs: [PayerTab] = []
    package var accounts: [PayeeAccount] = []
    package var receipts: [UsageReceipt] = []

    package init(offers: [OfferRecord] = [], leases: [LeaseRecord] = [], nextOfferID: UInt64 = 1, nextLeaseID: UInt64 = 1) {
        self.offers = offers
        self.leases = leases
        self.nextOfferID = nextOfferID
        self.nextLeaseID = nextLeaseID
    }
}
