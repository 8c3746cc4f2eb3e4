/// An active lease as the durable store keeps it: its end in wall-clock seconds, so the
/// remaining time survives a restart (the monotonic clock does not).
package struct LeaseRecord: Equatable, Sendable {
    package var id: UInt64
    package var offer: UInt64
    package var consumerUser: String
    package var amount: UInt64
    package var ttl: UInt64
    /// Unix seconds when the lease ends unless renewed.
    package var expiresWall: Int64
    /// Millicredits per unit per hour; 0 = free.
    package var price: Int64
    /// Unix seconds up to which it was charged: stored in the same transaction as the charge,
    /// so a restart never charges a minute twice.
    package var chargedUntil: Int64

    package init(id: UInt64, offer: UInt64, consumerUser: String, amount: UInt64, ttl: UInt64, expiresWall: Int64,
                price: Int64 = 0, chargedUntil: Int64 = 0) {
        self.price = price
        self.chargedUntil = chargedUntil
        self.id = id
        self.offer = offer
        self.consumerUser = consumerUser
        self.amount = amount
        self.ttl = ttl
        self.expiresWall = expiresWall
    }
}
