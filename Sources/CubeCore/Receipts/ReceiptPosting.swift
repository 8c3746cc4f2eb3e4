/// A ledger entry the receipts ask for (docs/market.md "Usage receipts"): the market posts it
/// in the same store transaction as the receipt that caused it.
package struct ReceiptPosting: Equatable, Sendable {
    package var user: String
    /// Millicredits: negative for a charge, positive for income or a refund.
    package var delta: Int64
    package var lease: UInt64
    package var note: String

    package init(user: String, delta: Int64, lease: UInt64, note: String) {
        self.user = user
        self.delta = delta
        self.lease = lease
        self.note = note
    }
}
