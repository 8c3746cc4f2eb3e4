/// One write the store must make, in order, all of one input in one transaction.
package enum MarketRecordChange: Equatable, Sendable {
    case offer(OfferRecord)
    case offerRemoved(UInt64)
    case lease(LeaseRecord)
    case leaseRemoved(UInt64)
    case nextIDs(offer: UInt64, lease: UInt64)
    /// A ledger entry; the account's balance becomes the entry's.
    case entry(LedgerEntry)
    /// A provider's record, written whole (docs/market.md "Reputation").
    case reputation(String, Reputation)
    /// A tab of a lease held on another node, written whole without its receipts
    /// (docs/market.md "Usage receipts").
    case tab(PayerTab)
    case tabRemoved(node: String, lease: UInt64)
    /// An account of a lease granted to another node, without its receipts.
    case account(PayeeAccount)
    case accountRemoved(UInt64)
    /// A receipt, written or replaced (countersigned) by (payer, payee, lease, sequence).
    case receipt(UsageReceipt)
    /// A receipt the payee refused (refunded): gone.
    case receiptRemoved(UsageReceipt)
}
