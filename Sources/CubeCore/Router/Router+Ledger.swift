// Prices and credits (docs/market.md "Prices and credits"): the commands on the market's
// ledger. Charging runs with the tick (``expireLeases(now:actions:)``).
extension Router {
    /// `balance`: the caller's credits.
    func balanceCommand(user: String) -> (ReplyKeyword, String) {
        (.trueReply, "\(Ledger.credits(market.ledger.balance(of: user))) credits")
    }

    /// The accounts of this node's users (read by the mount's `ledger/` and `leases/<id>/usage`).
    package var ledger: Ledger { market.ledger }

    /// What this node knows of a provider, as offer attributes (docs/market.md "Reputation").
    package func reputationAttributes(of provider: String) -> [String] { market.reputationAttributes(of: provider) }

    /// `statement [n]`: the caller's last `n` entries (default 20, at most ``Ledger/recentEntries``).
    /// - Parameter wall: now (unix seconds): the `age` column counts from it; nil counts from
    ///   the newest entry (it counted from the newest always, so a charge minutes old read `0s`).
    package func statementTable(_ words: [String], user: String, now wall: Int64? = nil) -> String? {
        let count: Int
        if let word = words.first {
            guard let value = Int(word), (1...Ledger.recentEntries).contains(value) else { return nil }
            count = value
        } else {
            count = 20
        }
        var table = TextTable(headers: ["age", "credits", "balance", "what"])
        let now = wall ?? market.ledger.recent[user]?.last?.wall ?? 0
        for entry in (market.ledger.recent[user] ?? []).suffix(count) {
            table.append(["\(max(0, now - entry.wall))s", Ledger.credits(entry.delta), Ledger.credits(entry.balance), entry.note])
        }
        return table.render()
    }

    /// `grant <user> <credits>` (administrators): adds credits to an account of this node.
    mutating func grantCommand(_ words: [String], admin: String, now: Timestamp) -> (ReplyKeyword, String) {
        guard words.count == 2, Names.isUserName(words[0].utf8), let amount = Ledger.millicredits(words[1]) else {
            return (.falseReply, "usage: grant <user> <credits> [ credits: up to 3 decimals ]")
        }
        guard let entry = market.grant(credits: amount, to: words[0], by: admin, wall: now.wall) else {
            return (.falseReply, "grant refused [ a balance holds at most \(Ledger.credits(Ledger.maximumBalance)) credits ]")
        }
        return (.trueReply, "granted \(Ledger.credits(amount)) credits to \(words[0]) [ balance \(Ledger.credits(entry.balance)) ]")
    }
}
