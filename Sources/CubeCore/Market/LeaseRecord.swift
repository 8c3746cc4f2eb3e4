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

    public init(id: UInt64, offer: UInt64, consumerUser: String, amount: UInt64, ttl: UInt64, expiresWall: Int64) {
        self.id = id
        self.offer = offer
        self.consumerUser = consumerUser
        self.amount = amount
        self.ttl = ttl
        self.expiresWall = expiresWall
    }
}
