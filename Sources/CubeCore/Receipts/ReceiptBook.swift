/// Usage receipts between nodes (docs/market.md "Usage receipts"): the consumer's node (payer)
/// charges its user for a priced lease held on another node and owes that node a signed
/// receipt per charge; the provider's node (payee) checks each receipt and credits its
/// provider once per (lease, sequence).
///
/// Pure: no I/O, no clock (every input carries the wall-clock time), no cryptography (the
/// caller passes the node's signer and verifier). The market holds one book and posts the
/// ``ReceiptPosting``s it returns; the router carries the receipt lines over the link
/// (`usage-receipts` payer → payee, `usage-acks` payee → payer) and the store keeps
/// ``takeChanges()`` in the same transaction as the ledger entries.
package struct ReceiptBook: Sendable {
    /// How long an ended lease's account is kept to answer receipts sent again, seconds.
    package static let retention: Int64 = 86_400
    /// How far into the future (by this node's clock) a receipt's period may end, seconds.
    package static let clockSkew: Int64 = 60
    /// Most lines in one `usage-receipts` or `usage-acks` record; more are not read.
    package static let maximumLines = 256

    /// Tabs of this node's users, by (provider node, lease).
    package private(set) var tabs: [TabKey: PayerTab] = [:]
    /// Accounts of leases granted to other nodes, by lease id here.
    package private(set) var accounts: [UInt64: PayeeAccount] = [:]
    /// Whether changes are kept for ``takeChanges()``.
    package var journaling = false
    /// Records from nodes that are not neighbours, checked before they are read (not stored).
    package var relayGuard = ReceiptRelayGuard()
    /// Leases this node's users hold on other nodes (not stored: docs/market.md "Leases held
    /// on other nodes").
    package var remote = RemoteLeases()
    private var touchedTabs: Set<TabKey> = []
    private var touchedAccounts: Set<UInt64> = []
    private var written: [MarketRecordChange] = []

    /// A tab's key: the provider's node and its lease id.
    package struct TabKey: Hashable, Comparable, Sendable {
        package let node: String
        package let lease: UInt64

        package init(node: String, lease: UInt64) {
            self.node = node
            self.lease = lease
        }

        package static func < (lhs: TabKey, rhs: TabKey) -> Bool { (lhs.node, lhs.lease) < (rhs.node, rhs.lease) }
    }

    package init() {}

    // MARK: - Payer (the consumer's node)

    /// A priced lease of `tab.node` was granted to `tab.user`: charge it from now on.
    package mutating func open(_ tab: PayerTab) {
        let key = TabKey(node: tab.node, lease: tab.lease)
        guard tabs[key] == nil else { return }
        tabs[key] = tab
        touch(key)
    }

    /// Charges every open tab whose last charge is `interval` seconds old or more, up to `now`:
    /// one receipt each, signed by `signer`. Tabs of nodes whose key is unknown wait.
    /// - Returns: the postings (charges) and the receipts to send.
    package mutating func charge(now: Int64, interval: Int64, localNode: String, signer: some AdvertSigner,
                                payeeKey: (String) -> String?) -> [(ReceiptPosting, UsageReceipt)] {
        var charged: [(ReceiptPosting, UsageReceipt)] = []
        for key in tabs.keys.sorted() {
            guard let tab = tabs[key], !tab.closed else { continue }
            // Never past the lease's end: once it has come, the last part is billed at once.
            let ran = tab.expires.map { now >= $0 } ?? false
            let until = tab.bounded(now)
            guard until - tab.chargedUntil >= max(1, interval) || ran,
                  let receipt = bill(key, until: until, localNode: localNode, signer: signer, payeeKey: payeeKey) else { continue }
            charged.append(receipt)
        }
        return charged
    }

    /// Closes the tabs whose lease ran out `grace` seconds or more before `now` and that are
    /// charged up to its end (``charge(now:interval:localNode:signer:payeeKey:)`` bills that
    /// last part first). The grace leaves room for a renewal answered late, and for the
    /// provider's own `ended`, which says more (its reason).
    /// - Returns: their keys.
    package mutating func closeExpired(now: Int64, grace: Int64) -> [TabKey] {
        let ran = tabs.filter { _, tab in
            !tab.closed && tab.expires.map { end in now >= end + grace && tab.chargedUntil >= end } ?? false
        }.keys.sorted()
        for key in ran {
            tabs[key]?.closed = true
            touch(key)
            dropIfSettled(key)
        }
        return ran
    }

    /// The lease `key` was renewed through this node to run out at `expires` (unix seconds).
    package mutating func renewed(_ key: TabKey, expires: Int64) {
        guard tabs[key]?.closed == false else { return }
        tabs[key]?.expires = expires
        touch(key)
    }

    /// The payee says the lease ended at `wall`: the tab takes no more charges, after a last
    /// one up to `wall` if it was charged less far.
    package mutating func ended(node: String, lease: UInt64, at wall: Int64, localNode: String, signer: some AdvertSigner,
                               payeeKey: (String) -> String?) -> [(ReceiptPosting, UsageReceipt)] {
        let key = TabKey(node: node, lease: lease)
        guard let tab = tabs[key], !tab.closed else { return [] }
        let end = tab.bounded(wall)
        let last = tab.chargedUntil < end ? bill(key, until: end, localNode: localNode, signer: signer, payeeKey: payeeKey) : nil
        tabs[key]?.closed = true
        touch(key)
        dropIfSettled(key)
        return last.map { [$0] } ?? []
    }

    /// One receipt for `key` from its last charge to `until`.
    private mutating func bill(_ key: TabKey, until: Int64, localNode: String, signer: some AdvertSigner,
                               payeeKey: (String) -> String?) -> (ReceiptPosting, UsageReceipt)? {
        guard var tab = tabs[key], until > tab.chargedUntil, let payee = payeeKey(key.node) else { return nil }
        let seconds = until - tab.chargedUntil
        let cost = UsageReceipt.cost(price: tab.price, amount: tab.amount, from: tab.chargedUntil, to: until)
        let receipt = UsageReceipt(payer: localNode, payee: key.node, lease: key.lease, sequence: tab.nextSequence,
                                   from: tab.chargedUntil, to: until, amount: cost, payerKey: signer.publicKey,
                                   payeeKey: payee).signed(by: signer)
        tab.nextSequence += 1
        tab.chargedUntil = until
        tab.pending.append(receipt)
        tabs[key] = tab
        touch(key)
        if journaling { written.append(.receipt(receipt)) }
        return (ReceiptPosting(user: tab.user, delta: -cost, lease: key.lease, note: "lease \(key.node):\(key.lease) \(seconds) s"),
                receipt)
    }

    /// Receipts of tabs with `node` not acknowledged yet, in order (sent again on every charge
    /// and when the link comes back).
    package func pending(to node: String) -> [UsageReceipt] {
        tabs.keys.sorted().filter { $0.node == node }.flatMap { tabs[$0]?.pending ?? [] }
    }

    /// Nodes owed receipts.
    package var nodesOwed: [String] {
        Array(Set(tabs.values.filter { !$0.pending.isEmpty }.map(\.node))).sorted()
    }

    /// The payee `node` countersigned a receipt: if it is one pending here, unchanged, with a
    /// valid countersignature by `node`'s key, it is settled.
    /// - Returns: whether it was.
    package mutating func acknowledge(_ ack: UsageReceipt, from node: String, payeeKey: String?,
                                     verifier: some AdvertVerifier) -> Bool {
        let key = TabKey(node: node, lease: ack.lease)
        guard ack.payee == node, ack.payeeKey == payeeKey, let tab = tabs[key],
              let index = tab.pending.firstIndex(where: { $0.sequence == ack.sequence }),
              tab.pending[index] == ack.unacknowledged, ack.bothSigned(verifier) else { return false }
        tabs[key]?.pending.remove(at: index)
        touch(key)
        if journaling { written.append(.receipt(ack)) }
        dropIfSettled(key)
        return true
    }

    /// The payee refused a pending receipt. A receipt past the lease's end is refunded with
    /// every later one and replaced by one up to the end; a refusal that waiting cannot mend
    /// (`future` and `out-of-order` can be: the receipt is sent again) refunds it and every
    /// later one and closes the tab.
    /// - Returns: the postings (refunds, a replacement charge) and a replacement receipt.
    package mutating func refused(node: String, lease: UInt64, sequence: UInt64, reason: ReceiptRefusal, localNode: String,
                                 signer: some AdvertSigner, payeeKey: (String) -> String?)
        -> (postings: [ReceiptPosting], receipts: [UsageReceipt]) {
        let key = TabKey(node: node, lease: lease)
        switch reason {
        case .future, .outOfOrder: return ([], [])
        default: break
        }
        guard var tab = tabs[key], let index = tab.pending.firstIndex(where: { $0.sequence == sequence }) else { return ([], []) }
        let undone = tab.pending[index...]
        var postings = undone.map {
            ReceiptPosting(user: tab.user, delta: $0.amount, lease: lease, note: "lease \(node):\(lease) refund \(reason.text)")
        }
        if journaling { written += undone.map { .receiptRemoved($0) } }
        tab.chargedUntil = tab.pending[index].from
        tab.nextSequence = sequence
        tab.pending.removeSubrange(index...)
        tab.closed = true
        tabs[key] = tab
        touch(key)
        var receipts: [UsageReceipt] = []
        if case .ended(let wall) = reason, tab.bounded(wall) > tab.chargedUntil,
           let (posting, receipt) = bill(key, until: tab.bounded(wall), localNode: localNode, signer: signer, payeeKey: payeeKey) {
            postings.append(posting)
            receipts.append(receipt)
        }
        dropIfSettled(key)
        return (postings, receipts)
    }

    /// A closed tab with nothing pending is done.
    private mutating func dropIfSettled(_ key: TabKey) {
        guard let tab = tabs[key], tab.closed, tab.pending.isEmpty else { return }
        tabs[key] = nil
        touch(key)
    }

    // MARK: - Payee (the provider's node)

    /// A priced lease was granted to another node: its provider is paid by receipts from now on.
    package mutating func open(_ account: PayeeAccount) {
        accounts[account.lease] = account
        touchedAccounts.insert(account.lease)
    }

    /// Whether lease `id` here is paid by receipts (the market does not charge it itself).
    package func paidByReceipts(_ id: UInt64) -> Bool { accounts[id] != nil }

    /// Lease `id` ended here at `wall`: receipts for time after it are refused.
    /// - Returns: the node to tell (`ended <lease> <wall>`), if the lease was paid by receipts.
    package mutating func leaseEnded(_ id: UInt64, at wall: Int64) -> String? {
        guard var account = accounts[id], account.ended == nil else { return nil }
        account.ended = wall
        accounts[id] = account
        touchedAccounts.insert(id)
        return account.payer
    }

    /// Checks one receipt line from neighbour `neighbour` and, if new and valid, credits the
    /// provider: addressed to this node and its key; from the lease's node, with the key this
    /// node holds for it and a valid signature; the next sequence number, starting where the
    /// last one ended; not past the lease's end nor in the future; exactly what the lease
    /// costs for the period. One already accepted is acknowledged again and not counted.
    /// `sender`, when given, is the node the line came from (the neighbour, or the node that
    /// signed its envelope): a receipt is taken only from its payer, so a node on the way
    /// cannot hand one in again (`forged`; docs/market.md "Receipts across the network").
    package mutating func settle(_ line: String, from sender: String? = nil, now: Int64, localNode: String, signer: some AdvertSigner,
                                verifier: some AdvertVerifier, pinnedKey: (String) -> String?) -> SettleOutcome {
        guard let receipt = UsageReceipt(text: line), receipt.payeeSignature.isEmpty else {
            return .refused(lease: 0, sequence: 0, .malformed)
        }
        func refuse(_ reason: ReceiptRefusal) -> SettleOutcome {
            .refused(lease: receipt.lease, sequence: receipt.sequence, reason)
        }
        guard receipt.payee == localNode, receipt.payeeKey == signer.publicKey else { return refuse(.notForUs) }
        if let sender, sender != receipt.payer { return refuse(.forged) }
        guard var account = accounts[receipt.lease], account.payer == receipt.payer else { return refuse(.unknownLease) }
        let known = pinnedKey(receipt.payer) ?? account.payerKey
        guard receipt.payerKey == known, receipt.payerSigned(verifier) else { return refuse(.forged) }
        if receipt.sequence <= account.lastSequence {
            guard let ack = account.accepted[receipt.sequence], ack.unacknowledged == receipt else { return refuse(.conflict) }
            return .again(ack: ack)
        }
        guard receipt.sequence == account.lastSequence + 1, receipt.from == account.paidUntil else { return refuse(.outOfOrder) }
        if let ended = account.ended, receipt.to > ended { return refuse(.ended(ended)) }
        guard receipt.to <= now + Self.clockSkew else { return refuse(.future) }
        guard receipt.amount == UsageReceipt.cost(price: account.price, amount: account.amount,
                                                  from: receipt.from, to: receipt.to) else { return refuse(.wrongAmount) }
        let ack = receipt.countersigned(by: signer)
        account.lastSequence = receipt.sequence
        account.paidUntil = receipt.to
        account.accepted[receipt.sequence] = ack
        accounts[receipt.lease] = account
        touchedAccounts.insert(receipt.lease)
        if journaling { written.append(.receipt(ack)) }
        let note = "lease \(receipt.lease) income \(receipt.to - receipt.from) s from \(receipt.payer)"
        return .accepted(ack: ack, posting: ReceiptPosting(user: account.providerUser, delta: receipt.amount,
                                                           lease: receipt.lease, note: note))
    }

    /// Running leases whose payer has sent no valid receipt for more than `limit` seconds
    /// (counted from the last period paid, or from when this node came back if later): the
    /// provider's node ends them (`unpaid`) rather than give the capacity away.
    package func unpaid(now: Int64, limit: Int64) -> [UInt64] {
        accounts.values.filter { $0.ended == nil && now - max($0.paidUntil, $0.watchedSince) > limit }.map(\.lease).sorted()
    }

    /// Forgets accounts of leases that ended more than ``retention`` seconds ago.
    package mutating func expire(now: Int64) {
        for (id, account) in accounts {
            if let ended = account.ended, now - ended > Self.retention {
                accounts[id] = nil
                touchedAccounts.insert(id)
            }
        }
    }

    // MARK: - Durability

    private mutating func touch(_ key: TabKey) {
        if journaling { touchedTabs.insert(key) }
    }

    /// Whether ``takeChanges()`` has something.
    package var changed: Bool { !touchedTabs.isEmpty || !touchedAccounts.isEmpty || !written.isEmpty }

    /// The store writes since the last call: tabs and accounts whole (without their receipts),
    /// then the receipts written, added or removed, in order.
    package mutating func takeChanges() -> [MarketRecordChange] {
        guard journaling else {
            touchedAccounts = []
            return []
        }
        var records: [MarketRecordChange] = []
        for key in touchedTabs.sorted() {
            if var tab = tabs[key] {
                tab.pending = []
                records.append(.tab(tab))
            } else {
                records.append(.tabRemoved(node: key.node, lease: key.lease))
            }
        }
        for id in touchedAccounts.sorted() {
            if var account = accounts[id] {
                account.accepted = [:]
                records.append(.account(account))
            } else {
                records.append(.accountRemoved(id))
            }
        }
        records += written
        touchedTabs = []
        touchedAccounts = []
        written = []
        return records
    }

    /// The book a store held: tabs with their unacknowledged receipts, accounts with the
    /// receipts they accepted.
    /// - Parameter now: unix seconds; unpaid time is counted from here at the earliest.
    package static func restored(tabs: [PayerTab], accounts: [PayeeAccount], receipts: [UsageReceipt], now: Int64 = 0) -> ReceiptBook {
        var book = ReceiptBook()
        for tab in tabs { book.tabs[TabKey(node: tab.node, lease: tab.lease)] = tab }
        for var account in accounts {
            account.watchedSince = now
            book.accounts[account.lease] = account
        }
        for receipt in receipts.sorted(by: { $0.sequence < $1.sequence }) {
            let key = TabKey(node: receipt.payee, lease: receipt.lease)
            if receipt.payeeSignature.isEmpty {
                book.tabs[key]?.pending.append(receipt)
            } else if let account = book.accounts[receipt.lease], account.payer == receipt.payer {
                book.accounts[receipt.lease]?.accepted[receipt.sequence] = receipt
            }
        }
        book.journaling = true
        return book
    }
}
