/// What a provider's node does with a consumer node's `held <lease>…` list, sent when the
/// two can reach each other again (docs/market.md "A link that comes back"): the consumer's
/// node lists every lease its users hold there; the provider's node compares it with the
/// leases it holds in that node's name.
package enum LeaseReconciliation {
    /// Most lease ids on one `held` line (a record carries at most ``ReceiptBook/maximumLines``).
    package static let idsPerLine = 64

    /// A lease the provider's node holds for the consumer's node.
    package struct Held: Equatable, Sendable {
        package let id: UInt64
        /// Its consumer's link dropped: it waits `leases.grace`.
        package let waiting: Bool

        package init(id: UInt64, waiting: Bool) {
            self.id = id
            self.waiting = waiting
        }
    }

    /// The decisions.
    package struct Outcome: Equatable, Sendable {
        /// Waiting leases the consumer still holds: they are its again, with the time they had.
        package var takeOver: [UInt64] = []
        /// Waiting leases the consumer no longer knows: they end now (`consumer-gone`) rather
        /// than at the end of the grace.
        package var end: [UInt64] = []
        /// Listed leases the provider does not hold: the consumer is told they ended.
        package var unknown: [UInt64] = []

        package init(takeOver: [UInt64] = [], end: [UInt64] = [], unknown: [UInt64] = []) {
            self.takeOver = takeOver
            self.end = end
            self.unknown = unknown
        }
    }

    /// Compares the consumer's list with what the provider holds. A lease that is not waiting
    /// and not listed is left alone: its grant may still be on its way to the consumer.
    package static func compare(listed: Set<UInt64>, held: [Held]) -> Outcome {
        var outcome = Outcome()
        for lease in held.sorted(by: { $0.id < $1.id }) where lease.waiting {
            if listed.contains(lease.id) { outcome.takeOver.append(lease.id) } else { outcome.end.append(lease.id) }
        }
        let known = Set(held.map(\.id))
        outcome.unknown = listed.subtracting(known).sorted()
        return outcome
    }

    /// The `held` lines listing `ids` (one `held` line with no id when there are none, so the
    /// provider still ends what waits for nothing).
    package static func lines(_ ids: [UInt64]) -> [String] {
        guard !ids.isEmpty else { return ["held"] }
        return stride(from: 0, to: ids.count, by: idsPerLine).map { start in
            (["held"] + ids[start..<min(start + idsPerLine, ids.count)].map(String.init)).joined(separator: " ")
        }
    }

    /// The ids of one `held` line; nil when it is not one.
    package static func ids(_ line: String) -> [UInt64]? {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        guard words.first == "held", words.count <= idsPerLine + 1 else { return nil }
        var ids: [UInt64] = []
        for word in words.dropFirst() {
            guard let id = UInt64(word), String(id) == word else { return nil }
            ids.append(id)
        }
        return ids
    }
}
