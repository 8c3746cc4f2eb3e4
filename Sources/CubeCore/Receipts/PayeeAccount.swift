/// A priced lease this node granted to another node's link (docs/market.md "Usage
/// receipts"): the provider is credited only from receipts the consumer's node signed, each
/// checked against what the lease costs and accepted once.
package struct PayeeAccount: Equatable, Sendable {
    /// The consumer's node and its identity key when the lease was granted.
    package let payer: String
    package let payerKey: String
    /// The lease id here.
    package let lease: UInt64
    /// The user credited here.
    package let providerUser: String
    package let amount: UInt64
    /// Millicredits per unit per hour.
    package let price: Int64
    /// Unix seconds up to which receipts paid (the grant time before the first).
    package internal(set) var paidUntil: Int64
    /// The sequence number of the last receipt accepted (0: none).
    package internal(set) var lastSequence: UInt64 = 0
    /// Unix seconds when the lease ended here; nil while it runs.
    package internal(set) var ended: Int64?
    /// Every receipt accepted, countersigned, by sequence: a receipt sent again is answered
    /// with the same acknowledgement and counted once.
    package internal(set) var accepted: [UInt64: UsageReceipt] = [:]
    /// Unix seconds from which an unpaid stretch is counted besides ``paidUntil``: the time
    /// this node came back, so that its own downtime is not held against the payer (not stored).
    package internal(set) var watchedSince: Int64 = 0

    package init(payer: String, payerKey: String, lease: UInt64, providerUser: String, amount: UInt64, price: Int64,
                paidUntil: Int64, lastSequence: UInt64 = 0, ended: Int64? = nil, accepted: [UInt64: UsageReceipt] = [:]) {
        self.payer = payer
        self.payerKey = payerKey
        self.lease = lease
        self.providerUser = providerUser
        self.amount = amount
        self.price = price
        self.paidUntil = paidUntil
        self.lastSequence = lastSequence
        self.ended = ended
        self.accepted = accepted
    }
}
