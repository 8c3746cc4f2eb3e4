// The market's durable store (docs/market.md "Storage"): the router hands its changes to the
// owner, which writes them before the replies of the same input go out.
extension Router {
    /// Whether the market changed since ``takeMarketChanges(now:)``.
    package var marketChanged: Bool { market.changed }

    /// The store writes for what changed since the last call.
    package mutating func takeMarketChanges(now: Timestamp) -> [MarketRecordChange] { market.takeChanges(now: now) }

    /// Replaces the (empty, just started) market with what a store held and starts keeping
    /// changes for it. Restored offers and leases wait `leases.grace`, at least a minute, for
    /// their provider and consumers to come back.
    package mutating func restoreMarket(_ snapshot: MarketSnapshot, now: Timestamp) {
        let grace = UInt64(max(60, configuration.leaseGraceSeconds)) * 1_000_000_000
        market = Market.restored(snapshot, now: now, grace: grace)
    }
}
