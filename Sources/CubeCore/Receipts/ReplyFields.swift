/// The words of a market reply from another node, read by key: a grant (`lease 7 offer 2
/// amount 3600 ttl 600 price 1.000 since …`), a renewal (`lease 7 renewed [ ttl 600 s ]`) or a
/// release (`lease 7 released`), which the consumer's node reads to know what it charges for
/// (docs/market.md "Usage receipts").
package struct ReplyFields: Sendable {
    package let words: [String]

    package init(_ text: String) {
        words = text.split(separator: " ").map(String.init)
    }

    /// The word after the first `key`; nil when there is none.
    package func value(_ key: String) -> String? {
        guard let index = words.firstIndex(of: key), index + 1 < words.count else { return nil }
        return words[index + 1]
    }

    /// The lease of a reply `lease <id> …`; nil for any other reply.
    package var lease: UInt64? {
        words.first == "lease" ? value("lease").flatMap(UInt64.init) : nil
    }

    /// Whether the reply is `lease <id> <outcome> …` (`renewed`, `released`).
    package func says(_ outcome: String) -> Bool {
        words.count >= 3 && words[2] == outcome
    }
}
