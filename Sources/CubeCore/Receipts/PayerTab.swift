/// A priced lease this node's user holds on another node (docs/market.md "Usage receipts"):
/// the consumer's node charges its user for it as it runs and owes the provider's node a
/// receipt for every charge.
package struct PayerTab: Equatable, Sendable {
    /// The provider's node and the lease id there.
    package let node: String
    package let lease: UInt64
    /// The user charged here.
    package let user: String
    package let amount: UInt64
    /// Millicredits per unit per hour, as the provider's node named it when it granted.
    package let price: Int64
    /// Unix seconds up to which the user was charged.
    package internal(set) var chargedUntil: Int64
    /// The sequence number of the next receipt.
    package internal(set) var nextSequence: UInt64 = 1
    /// Set when the lease ended: no more charges; the tab goes once every receipt is acknowledged.
    package internal(set) var closed = false
    /// Receipts sent and not acknowledged yet, oldest first (sent again until they are).
    package internal(set) var pending: [UsageReceipt] = []
    /// Unix seconds when the lease runs out unless renewed through this node: the tab is
    /// charged up to then and closed, whether or not the provider's node says it ended
    /// (docs/market.md "Usage receipts"). Nil: not known (a tab stored before it was kept).
    package internal(set) var expires: Int64?

    package init(node: String, lease: UInt64, user: String, amount: UInt64, price: Int64, chargedUntil: Int64,
                nextSequence: UInt64 = 1, closed: Bool = false, pending: [UsageReceipt] = [], expires: Int64? = nil) {
        self.node = node
        self.lease = lease
        self.user = user
        self.amount = amount
        self.price = price
        self.chargedUntil = chargedUntil
        self.nextSequence = nextSequence
        self.closed = closed
        self.pending = pending
        self.expires = expires
    }

    /// `wall`, or the lease's end if that comes first: no charge goes past it.
    func bounded(_ wall: Int64) -> Int64 { min(wall, expires ?? wall) }
}
