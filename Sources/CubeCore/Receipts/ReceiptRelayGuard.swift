/// Checks ``ReceiptEnvelope``s addressed to this node before their lines are read
/// (docs/market.md "Receipts across the network"): signed by the key this node pins for the
/// sender, issued within ``window`` seconds before now (and at most ``ReceiptBook/clockSkew``
/// after), and not seen before. Pure: the caller passes the time, the pinned key and the
/// verifier.
///
/// An envelope's lines are safe to read twice (a receipt is counted once, an acknowledgement
/// settles once), so the guard only bounds what a node on the way could do by replaying:
/// nothing older than the window, nothing twice within it.
package struct ReceiptRelayGuard: Sendable {
    /// How old an envelope may be, seconds.
    package static let window: Int64 = 300
    /// Most envelopes remembered; beyond, the oldest are forgotten (an envelope that old is
    /// refused as stale anyway once the window passed).
    package static let capacity = 4096

    /// Why an envelope was refused.
    package enum Refusal: String, Sendable, Equatable {
        case forged, stale, future, replayed
    }

    /// Signatures seen, with when they were issued.
    private var seen: [[UInt8]: Int64] = [:]

    package init() {}

    /// Checks `envelope`; remembers it when admitted.
    /// - Returns: nil when its lines may be read, else why not.
    package mutating func admit(_ envelope: ReceiptEnvelope, now: Int64, senderKey: String?,
                               verifier: some AdvertVerifier) -> Refusal? {
        guard envelope.isSigned(by: senderKey, verifier) else { return .forged }
        guard envelope.issued > now - Self.window else { return .stale }
        guard envelope.issued <= now + ReceiptBook.clockSkew else { return .future }
        guard seen[envelope.signature] == nil else { return .replayed }
        if seen.count >= Self.capacity { forget(before: now - Self.window) }
        if seen.count >= Self.capacity, let oldest = seen.min(by: { $0.value < $1.value }) { seen[oldest.key] = nil }
        seen[envelope.signature] = envelope.issued
        return nil
    }

    /// Forgets envelopes issued before `wall`: they are refused as stale from now on.
    package mutating func forget(before wall: Int64) {
        seen = seen.filter { $0.value >= wall }
    }

    /// Envelopes remembered.
    package var count: Int { seen.count }
}
