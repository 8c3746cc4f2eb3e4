/// One write the store must make, in order, all of one input in one transaction.
public enum MarketRecordChange: Equatable, Sendable {
    case offer(OfferRecord)
    case offerRemoved(UInt64)
    case lease(LeaseRecord)
    case leaseRemoved(UInt64)
    case nextIDs(offer: UInt64, lease: UInt64)
    /// A ledger entry; the account's balance becomes the entry's.
    case entry(LedgerEntry)
    /// A provider's record, written whole (docs/market.md "Reputation").
    case reputation(String, Reputation)
}
