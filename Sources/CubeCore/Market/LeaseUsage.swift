/// What a lease has cost so far (`leases/<id>/usage` in the mount, docs/market.md "The
/// market as files"), from the consumer's ledger entries for it. Amounts are millicredits.
package struct LeaseUsage: Equatable, Sendable {
    /// Millicredits per unit of the amount per hour.
    package var price: Int64
    /// Charges posted to the consumer for this lease (among the account's recent entries).
    package var charges: Int
    /// Millicredits those charges took.
    package var charged: Int64
    /// Seconds since the lease was last charged (or granted).
    package var sinceCharge: Int64
    /// What the time since then will cost at the next charge.
    package var accrued: Int64

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
    package init(of lease: Lease, ledger: Ledger, wall: Int64) {
        price = lease.price
        let entries = (ledger.recent[lease.consumerUser] ?? []).filter { $0.lease == lease.id && $0.delta < 0 }
        charges = entries.count
        charged = entries.reduce(0) { $0 - $1.delta }
        sinceCharge = lease.price > 0 ? max(0, wall - lease.chargedUntil) : 0
        // Exactly what the next charge takes: the market's grid (``Market/cost(price:amount:from:to:)``).
        accrued = sinceCharge > 0 ? Market.cost(price: lease.price, amount: lease.amount, from: lease.chargedUntil, to: wall) : 0
    }
}
