/// A share of an offer held by a consumer (`acquire <offer> <amount> [ttl]`).
package struct Lease: Equatable, Sendable {
    package enum State: String, Sendable {
        /// The provider has been asked and has not answered yet.
        case requested
        case active
    }

    package let id: UInt64
    package let offer: UInt64
    /// The consumer's session; after it ended, the last one (see ``consumerGoneUntil``).
    package internal(set) var consumer: SessionID
    package let consumerUser: String
    package let amount: UInt64
    package internal(set) var ttl: UInt64
    /// Monotonic nanoseconds when the lease ends unless renewed.
    package internal(set) var expires: UInt64
    package internal(set) var state: State
    /// Set while the consumer's session is gone (`leases.grace`): monotonic nanoseconds when
    /// the lease ends unless its user renews it from another session.
    package internal(set) var consumerGoneUntil: UInt64?
    /// Millicredits per unit of `amount` per hour (the offer's `price=` when granted).
    package internal(set) var price: Int64 = 0
    /// Unix seconds up to which the lease has been charged.
    package internal(set) var chargedUntil: Int64 = 0
    /// For a lease restored from the store that ran out while the cube was down: when (unix
    /// seconds), so that it is charged up to then, not up to the restart.
    package internal(set) var expiredAtWall: Int64?
    /// Whether the consumer was told its credit runs low (`lease-warning <id> low-credit`).
    package internal(set) var warned = false
    /// Asked for by another node's link for its own users: paid by that node's usage
    /// receipts once granted (docs/market.md "Usage receipts").
    package internal(set) var paidByReceipts = false
    /// The node that pays by receipts when it is not the neighbour that asked (a lease asked
    /// for through intermediate nodes: docs/market.md "Receipts across the network"); nil: the
    /// neighbour. Only until the grant opens the account, which keeps it (not stored).
    package internal(set) var payerNode: String?
    /// The memory account the lease is charged to (``memoryCost``): its holder's, or the
    /// link's it was asked over (a remote user has no account here); nil for a lease restored
    /// from the store, like a restored offer.
    package internal(set) var memoryAccount: String?

    /// What a lease costs its holder's memory share (docs/security.md "Resource limits"):
    /// the lease, its places in the market's tables and the store's journal — about 480 bytes
    /// a lease measured (121,200 leases took a cube from 37.7 to 95 MB), with room for the
    /// user name.
    static func memoryCost(user: String) -> Int { 512 + user.utf8.count }
}
