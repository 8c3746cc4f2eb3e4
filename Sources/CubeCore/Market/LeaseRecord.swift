/// An active lease as the durable store keeps it: its end in wall-clock seconds, so the
/// remaining time survives a restart (the monotonic clock does not).
public struct LeaseRecord: Equatable, Sendable {
    public var id: UInt64
    public var offer: UInt64
    public var consumerUser: String
    public var amount: UInt64
    public var ttl: UInt64
    /// Unix seconds when the lease ends unless renewed.
    public var expiresWall: Int64
    /// Millicredits per unit per hour; 0 = free.
    public var price: Int64
    /// Unix seconds up to which it was charged: stored in the same transaction as the charge,
    /// so a restart never charges a minute twice.
    public var chargedUntil: Int64

    public init(id: UInt64, offer: UInt64, consumerUser: String, amount: UInt64, ttl: UInt64, expiresWall: Int64,
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
