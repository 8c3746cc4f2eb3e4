/// The accounts of one node's users (docs/market.md "Prices and credits"): a balance per user
/// in millicredits and each account's recent entries. Pure; the market posts to it.
package struct Ledger: Equatable, Sendable {
    /// Entries kept per account for `statement` (all of them are in the store).
    package static let recentEntries = 100

    package private(set) var balances: [String: Int64] = [:]
    package private(set) var recent: [String: [LedgerEntry]] = [:]

    /// The largest balance a `grant` may leave, in millicredits (10^15 credits): a thousand
    /// of the largest grants (10^12 credits, ``millicredits(_:)``). Far below `Int64.max`, so
    /// income on top of it and a debt of one charging interval (at most 2.4×10^16
    /// millicredits: ``Market/maximumHourlyCost`` for a day) stay representable
    /// (docs/market.md "Prices and credits").
    package static let maximumBalance: Int64 = 1_000_000_000_000_000_000

    package init() {}

    /// The balance of `user` in millicredits (0 for an account never used).
    package func balance(of user: String) -> Int64 { balances[user] ?? 0 }

    /// Adds `delta` to `user`'s account and records it. The sum saturates at `Int64.min` and
    /// `Int64.max`, and the entry says what was added: a balance never wraps (before, `&+`
    /// turned a debt into 6.9×10^15 credits: docs/market.md "Prices and credits").
    @discardableResult
    package mutating func post(user: String, delta: Int64, lease: UInt64?, note: String, wall: Int64) -> LedgerEntry {
        let before = balance(of: user)
        let balance = Int64(clamping: Int128(before) + Int128(delta))
        balances[user] = balance
        let entry = LedgerEntry(user: user, delta: balance - before, balance: balance, lease: lease, note: note, wall: wall)
        remember(entry)
        return entry
    }

    /// Moves `amount` (positive) from `payer` to `payee`, or as much of it as both accounts can
    /// hold without saturating: what one loses the other gains, so credits are conserved.
    /// - Returns: the payer's and the payee's entries; nil when nothing moves (no zero rows).
    @discardableResult
    package mutating func transfer(_ amount: Int64, from payer: String, to payee: String, lease: UInt64?, payerNote: String,
                                   payeeNote: String, wall: Int64) -> (LedgerEntry, LedgerEntry)? {
        let payerRoom = Int128(balance(of: payer)) - Int128(Int64.min)
        let payeeRoom = Int128(Int64.max) - Int128(balance(of: payee))
        let moved = Int64(clamping: max(0, min(Int128(amount), payerRoom, payeeRoom)))
        guard moved > 0, payer != payee else { return nil }
        return (post(user: payer, delta: -moved, lease: lease, note: payerNote, wall: wall),
                post(user: payee, delta: moved, lease: lease, note: payeeNote, wall: wall))
    }

    /// Puts back what a store held (balances, and entries oldest first).
    mutating func restore(balances: [String: Int64], entries: [LedgerEntry]) {
        self.balances = balances
        for entry in entries { remember(entry) }
    }

    private mutating func remember(_ entry: LedgerEntry) {
        recent[entry.user, default: []].append(entry)
        if let count = recent[entry.user]?.count, count > Self.recentEntries {
            recent[entry.user]?.removeFirst(count - Self.recentEntries)
        }
    }

    /// Millicredits as credits with three decimals: `12.345`, `-0.500`.
    package static func credits(_ millicredits: Int64) -> String {
        let sign = millicredits < 0 ? "-" : ""
        let magnitude = millicredits.magnitude
        let fraction = String(magnitude % 1000)
        return "\(sign)\(magnitude / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
    }

    /// `12`, `12.5`, `0.125` as millicredits; nil for anything else (more than three decimals,
    /// a sign, a unit, more than 10^12 credits).
    package static func millicredits(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 12,
              whole.utf8.allSatisfy(Bytes.isDigit), let units = Int64(whole) else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.utf8.allSatisfy(Bytes.isDigit), let value = Int64(digits) else { return nil }
            fraction = value * [1, 100, 10, 1][digits.count]
        }
        return units * 1000 + fraction
    }
}
