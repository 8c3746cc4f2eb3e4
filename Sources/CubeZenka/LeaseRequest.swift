/// A cube asking the zenka whether it grants a lease on one of its offers: the command
/// `lease-request <lease> <consumer> <amount> <ttl>` (docs/protocol.md §8.1). The cube has
/// already reserved `amount` of the offer; a `TRUE` grants the lease, a `FALSE` refuses it and
/// its text reaches the consumer.
public struct LeaseRequest: Sendable, Equatable {
    /// The lease id on the cube (the id later `lease-end <lease> <reason>` notices carry).
    public let lease: UInt64
    /// The consumer's user name as the cube sees it (for a lease from another node: that
    /// node's link user).
    public let consumer: String
    /// The amount asked for, in the offer's unit (bytes for sizes).
    public let amount: UInt64
    /// Seconds the lease runs unless renewed.
    public let ttl: UInt64

    /// Creates a request (for tests and for handlers called directly).
    public init(lease: UInt64, consumer: String, amount: UInt64, ttl: UInt64) {
        self.lease = lease
        self.consumer = consumer
        self.amount = amount
        self.ttl = ttl
    }

    /// Parses the arguments of `lease-request`: four words, the numbers decimal.
    /// - Parameter args: e.g. `3 taeki 1000 60`.
    public init?(args: String) {
        let words = args.split(separator: " ")
        guard words.count == 4, let lease = UInt64(words[0]), let amount = UInt64(words[2]), let ttl = UInt64(words[3])
        else { return nil }
        self.init(lease: lease, consumer: String(words[1]), amount: amount, ttl: ttl)
    }
}
