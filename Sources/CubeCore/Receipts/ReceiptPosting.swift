/// A ledger entry the receipts ask for (docs/market.md "Usage receipts"): the market posts it
/// in the same store transaction as the receipt that caused it.
public struct ReceiptPosting: Equatable, Sendable {
    public var user: String
    /// Millicredits: negative for a charge, positive for income or a refund.
    public var delta: Int64
    public var lease: UInt64
    public var note: String

    public init(user: String, delta: Int64, lease: UInt64, note: String) {
        self.user = user
        self.delta = delta
        self.lease = lease
        self.note = note
    }
}
