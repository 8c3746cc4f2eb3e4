/// One line of an account's statement (docs/market.md "Prices and credits"). Amounts are
/// millicredits.
package struct LedgerEntry: Equatable, Sendable {
    package var user: String
    /// Credits added (positive) or taken (negative), in millicredits.
    package var delta: Int64
    /// The account's balance after this entry, in millicredits.
    package var balance: Int64
    /// The lease charged or paid for; nil for a grant.
    package var lease: UInt64?
    /// What it was: `grant by <admin>`, `lease <id> <seconds> s`, `lease <id> income <seconds> s`.
    package var note: String
    /// Unix seconds.
    package var wall: Int64

    package init(user: String, delta: Int64, balance: Int64, lease: UInt64?, note: String, wall: Int64) {
        self.user = user
        self.delta = delta
        self.balance = balance
        self.lease = lease
        self.note = note
        self.wall = wall
    }
}
