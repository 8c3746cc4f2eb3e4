/// What the payee made of one receipt line (``ReceiptBook/settle(_:from:now:localNode:signer:verifier:pinnedKey:)``).
package enum SettleOutcome: Equatable, Sendable {
    /// New and valid: the provider is credited (`posting`) and `ack` goes back.
    case accepted(ack: UsageReceipt, posting: ReceiptPosting)
    /// Accepted before with the same contents: `ack` goes back again, nothing is counted.
    case again(ack: UsageReceipt)
    /// Refused: a `refused <lease> <seq> <reason>` line goes back.
    case refused(lease: UInt64, sequence: UInt64, ReceiptRefusal)

    /// The line of the `usage-acks` record that answers it.
    package var line: String {
        switch self {
        case .accepted(let ack, _), .again(let ack): ack.text
        case .refused(let lease, let sequence, let reason): "refused \(lease) \(sequence) \(reason.text)"
        }
    }
}
