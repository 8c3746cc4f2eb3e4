/// What a lease has cost so far (`leases/<id>/usage` in the mount, docs/market.md "The
/// market as files"), from the consumer's ledger entries for it. Amounts are millicredits.
public struct LeaseUsage: Equatable, Sendable {
    /// Millicredits per unit of the amount per hour.
    public var price: Int64
    /// Charges posted to the consumer for this lease (among the account's recent entries).
    public var charges: Int
    /// Millicredits those charges took.
    public var charged: Int64
    /// Seconds since the lease was last charged (or granted).
    public var sinceCharge: Int64
    /// What the time since then will cost at the next charge.
    public var accrued: Int64

    /// A usage from its figures.
    package init(price: Int64, charges: Int, charged: Int64, sinceCharge: Int64, accrued: Int64) {
        self.price = price
        self.charges = charges
        self.charged = charged
        self.sinceCharge = sinceCharge
        self.accrued = accrued
    }

    /// The usage of `lease` at unix second `wall`, from `ledger` (its recent entries: the
    /// last ``Ledger/recentEntries`` of the consumer's account).
    public init(of lease: Lease, ledger: Ledger, wall: Int64) {
        price = lease.price
        let entries = (ledger.recent[lease.consumerUser] ?? []).filter { $0.lease == lease.id && $0.delta < 0 }
        charges = entries.count
        charged = entries.reduce(0) { $0 - $1.delta }
        sinceCharge = lease.price > 0 ? max(0, wall - lease.chargedUntil) : 0
        let perSecond = Double(lease.price) * Double(lease.amount) / 3600
        accrued = Int64(min(Double(Int64.max / 4), (perSecond * Double(sinceCharge)).rounded(.down)))
    }
}
