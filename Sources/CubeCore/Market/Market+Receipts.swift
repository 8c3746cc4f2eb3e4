// Usage receipts (docs/market.md "Usage receipts"): the market posts what the pure
// ``ReceiptBook`` asks for to its ledger, so that a charge, its receipt and the tab's new
// "charged until" are written in one store transaction.
extension Market {
    /// Charges this node's users for their priced leases on other nodes.
    /// - Returns: the receipts to send, the tabs whose user's balance reached zero (the
    ///   consumer's node releases those leases), and those whose lease ran out (closed).
    package mutating func chargeTabs(now: Int64, localNode: String, signer: some AdvertSigner, payeeKey: (String) -> String?)
        -> (receipts: [UsageReceipt], broke: [ReceiptBook.TabKey], expired: [ReceiptBook.TabKey]) {
        guard !receipts.tabs.isEmpty else { return ([], [], []) }
        let charged = receipts.charge(now: now, interval: chargeInterval, localNode: localNode, signer: signer, payeeKey: payeeKey)
        var broke: [ReceiptBook.TabKey] = []
        for (posting, receipt) in charged {
            let entry = post(user: posting.user, delta: posting.delta, lease: posting.lease, note: posting.note, wall: now)
            if entry.balance <= 0 { broke.append(ReceiptBook.TabKey(node: receipt.payee, lease: receipt.lease)) }
        }
        let expired = receipts.closeExpired(now: now, grace: Self.expiryGrace)
        return (charged.map(\.1), broke.filter { !expired.contains($0) }, expired)
    }

    /// The payee said lease `lease` ended at `wall`: a last charge up to then, then no more.
    package mutating func tabEnded(node: String, lease: UInt64, at wall: Int64, localNode: String, signer: some AdvertSigner,
                                  payeeKey: (String) -> String?) -> [UsageReceipt] {
        let charged = receipts.ended(node: node, lease: lease, at: wall, localNode: localNode, signer: signer, payeeKey: payeeKey)
        for (posting, _) in charged {
            post(user: posting.user, delta: posting.delta, lease: posting.lease, note: posting.note, wall: wall)
        }
        return charged.map(\.1)
    }

    /// The payee refused a receipt: refunds, and a replacement to send.
    package mutating func receiptRefused(node: String, lease: UInt64, sequence: UInt64, reason: ReceiptRefusal, wall: Int64,
                                        localNode: String, signer: some AdvertSigner,
                                        payeeKey: (String) -> String?) -> [UsageReceipt] {
        let (postings, replacements) = receipts.refused(node: node, lease: lease, sequence: sequence, reason: reason,
                                                        localNode: localNode, signer: signer, payeeKey: payeeKey)
        for posting in postings {
            post(user: posting.user, delta: posting.delta, lease: posting.lease, note: posting.note, wall: wall)
        }
        return replacements
    }

    /// A receipt line from another node: checked and, if new and valid, its amount credited to
    /// the provider. Returns the line that answers it.
    package mutating func settle(_ line: String, from sender: String? = nil, now: Int64, localNode: String, signer: some AdvertSigner,
                                verifier: some AdvertVerifier, pinnedKey: (String) -> String?) -> SettleOutcome {
        let outcome = receipts.settle(line, from: sender, now: now, localNode: localNode, signer: signer, verifier: verifier, pinnedKey: pinnedKey)
        if case .accepted(_, let posting) = outcome {
            post(user: posting.user, delta: posting.delta, lease: posting.lease, note: posting.note, wall: now)
        }
        return outcome
    }

    /// Lease `id` was granted to another node's link (`payer`, whose key is `payerKey`) at
    /// `wall`: if it is priced, its provider is paid by that node's receipts from now on.
    /// - Returns: the lease's price, if it is paid by receipts.
    package mutating func openAccount(lease id: UInt64, payer: String, payerKey: String, wall: Int64) -> Int64? {
        guard let lease = leases[id], lease.paidByReceipts, lease.price > 0, let offer = offers[lease.offer] else { return nil }
        receipts.open(PayeeAccount(payer: payer, payerKey: payerKey, lease: id, providerUser: offer.providerUser,
                                   amount: lease.amount, price: lease.price, paidUntil: wall))
        return lease.price
    }

    /// Lease `id` ended (at `wall`, or at the last charge when no time is at hand).
    /// - Returns: the node paying it by receipts, to be told.
    package mutating func accountEnded(lease id: UInt64, wall: Int64?) -> (payer: String, wall: Int64)? {
        guard let account = receipts.accounts[id] else { return nil }
        let end = max(wall ?? lastCharge, account.paidUntil)
        return receipts.leaseEnded(id, at: end).map { ($0, end) }
    }
}

extension Market {
    /// Whether there are tabs to charge, receipts to send or leases held elsewhere to list
    /// (cheap: asked every tick).
    var hasReceiptWork: Bool { !receipts.tabs.isEmpty || !receipts.accounts.isEmpty || !receipts.remote.entries.isEmpty }

    /// A priced lease of another node was granted to one of this node's users.
    package mutating func openTab(_ tab: PayerTab) { receipts.open(tab) }

    /// Seconds past a tab's end before it is closed without the provider's `ended`: as far as
    /// a payee accepts a receipt's end in its future (docs/market.md "Clocks").
    package static let expiryGrace: Int64 = 60

    /// A lease of another node was renewed through this node at `wall` for `ttl` seconds: a
    /// priced one's tab runs out then, and the lease is listed with that time left.
    package mutating func renewedTab(_ key: ReceiptBook.TabKey, ttl: UInt64, wall: Int64) {
        receipts.renewed(key, expires: wall + Int64(ttl))
        receipts.remote.renewed(key, ttl: ttl, wall: wall)
    }

    /// The payee countersigned a pending receipt.
    package mutating func acknowledge(_ ack: UsageReceipt, from node: String, payeeKey: String?,
                                     verifier: some AdvertVerifier) -> Bool {
        receipts.acknowledge(ack, from: node, payeeKey: payeeKey, verifier: verifier)
    }

    /// Forgets the accounts of leases ended long ago (``ReceiptBook/retention``).
    mutating func expireAccounts(now: Int64) {
        guard receipts.accounts.values.contains(where: { $0.ended.map { now - $0 > ReceiptBook.retention } ?? false }) else { return }
        receipts.expire(now: now)
    }
}
