// Usage receipts between nodes (docs/market.md "Usage receipts"): the router only wires the
// market's ``ReceiptBook`` in — it opens tabs and accounts when a priced lease crosses a link,
// charges with the tick, and carries receipt lines over the link as two records without id:
// `usage-receipts` (payer → payee: receipts signed by the payer) and `usage-acks` (payee →
// payer: countersigned receipts, `refused <lease> <seq> <reason>`, `ended <lease> <wall>`).
extension Router {
    static let usageReceiptsPath = "usage-receipts"
    static let usageAcksPath = "usage-acks"

    // MARK: - Payer (the consumer's node)

    /// A remote `acquire` was answered `TRUE lease <id> … price <credits> since <wall>`: the
    /// provider's node charges by receipts, so this node charges `user` from `since` on.
    ///
    /// The provider's node names what the receipts are signed for: price, amount and start.
    /// A grant other than asked is refused (docs/market.md "Prices and credits"): a price
    /// above the one the offer's advert named when the acquire left (the user agreed to that
    /// one, and credit was checked against it: an offer advertised free skipped the check),
    /// more than the amount asked, or a start more than ``grantClockSkew`` from this node's
    /// clock (`since 0` would charge since 1970). A hostile or changed provider would otherwise
    /// charge what it liked. The lease goes back (`release <lease> grant-refused`) unless this
    /// node already holds a lease of that id there: a rewritten id must not end another one.
    /// - Parameter asked: the advert's price (millicredits, 0 for none) and the amount asked.
    /// - Returns: the refusal when the grant is refused.
    mutating func remoteLeaseGranted(_ reply: Reply, node: String, user: String, session: SessionID,
                                     asked: (price: Int64, amount: UInt64, ttl: UInt64), wall: Int64,
                                     actions: inout [RouterAction]) -> MarketRefusal? {
        guard reply.keyword == .trueReply else { return nil }
        let fields = ReplyFields(String(decoding: reply.text, as: UTF8.self))
        guard let lease = fields.lease else { return nil }
        let price = fields.value("price").flatMap(Ledger.millicredits) ?? 0
        let amount = fields.value("amount").flatMap(UInt64.init)
        let ttl = fields.value("ttl").flatMap(UInt64.init)
        let since = fields.value("since").flatMap(Int64.init)
        let why: String? = if price > asked.price {
            "at \(Ledger.credits(price)), advertised at \(Ledger.credits(asked.price))"
        } else if price > 0, let amount, amount > asked.amount {
            "for \(amount), asked for \(asked.amount)"
        } else if price > 0, let ttl, ttl > asked.ttl {
            "for \(ttl) s, asked for \(asked.ttl) s"
        } else if price > 0, let since, since < wall - Self.grantClockSkew || since > wall + Self.grantClockSkew {
            "charged from \(since), now is \(wall)"
        } else {
            nil
        }
        let key = ReceiptBook.TabKey(node: node, lease: lease)
        if let why {
            let offer = "\(node):\(fields.value("offer") ?? "?")"
            guard market.receipts.tabs[key] == nil && market.receipts.remote.entries[key] == nil else {
                return .grantRefused(offer: offer, why: why + "; not given back: lease \(lease) there is another one held here")
            }
            sendUsageRecord(Self.usageReceiptsPath, lines: ["release \(lease) \(Self.grantRefused)"], to: node, wall: wall,
                            actions: &actions)
            return .grantRefused(offer: offer, why: why + "; given back")
        }
        market.receipts.remote.granted(fields, node: node, user: user, session: session, wall: wall)
        guard let amount, price > 0, let since else { return nil }
        market.openTab(PayerTab(node: node, lease: lease, user: user, amount: amount, price: price, chargedUntil: since,
                                expires: since + Int64(ttl ?? asked.ttl)))
        return nil
    }

    /// `<node>.release <lease>` from a session here was answered `TRUE lease <id> released`:
    /// the tab is charged up to now and closed, without waiting for the provider's node to
    /// say the lease ended (`ended` in `usage-acks`), which a hostile one never does: the
    /// user was charged on until out of credit (a second reader's finding).
    mutating func remoteLeaseReleased(_ text: ArraySlice<UInt8>, node: String, lease: UInt64, wall: Int64,
                                      actions: inout [RouterAction]) {
        let fields = ReplyFields(String(decoding: text, as: UTF8.self))
        guard fields.lease == lease, fields.says("released"),
              market.receipts.tabs[ReceiptBook.TabKey(node: node, lease: lease)] != nil, let signer = network?.signer
        else { return }
        let pinned = network?.topology.pinnedKeys ?? [:]
        let last = market.tabEnded(node: node, lease: lease, at: wall, localNode: configuration.nodeName, signer: signer,
                                   payeeKey: { pinned[$0] })
        if !last.isEmpty { sendPendingReceipts(to: node, wall: wall, actions: &actions) }
    }

    /// `<node>.renew <lease> [ttl]` from a session here was answered `TRUE lease <id> renewed [
    /// ttl <s> s ]`: the tab now runs to `s` seconds from now, at most the ttl `asked` (nil:
    /// the lease's own, as granted or last renewed here; the longest a lease may have when not
    /// known here).
    mutating func remoteLeaseRenewed(_ text: ArraySlice<UInt8>, node: String, lease: UInt64, asked: UInt64?, wall: Int64) {
        let fields = ReplyFields(String(decoding: text, as: UTF8.self))
        guard fields.lease == lease, fields.says("renewed"), let granted = fields.value("ttl").flatMap(UInt64.init) else { return }
        let key = ReceiptBook.TabKey(node: node, lease: lease)
        // Within the longest a lease may have, whatever was asked or granted: no overflow.
        let ttl = min(granted, asked ?? market.receipts.remote.entries[key]?.ttl ?? Market.maximumLeaseTTL, Market.maximumLeaseTTL)
        market.renewedTab(key, ttl: ttl, wall: wall)
    }

    /// The purpose of a command from a session here to `node`'s `release <lease>` or `renew
    /// <lease> [ttl]` (docs/market.md "Usage receipts"), nil for any other command.
    func leasePurpose(_ command: CommandView, _ parsed: CommandPath, node: String) -> RoutePurpose? {
        let remainder = command.path.dropFirst(parsed.remainderOffset)
        let releases = remainder.count == 7 && remainder.elementsEqual("release".utf8)
        guard releases || remainder.count == 5 && remainder.elementsEqual("renew".utf8) else { return nil }
        let words = command.args?.split(separator: UInt8(ascii: " ")) ?? []
        guard let lease = words.first.flatMap({ UInt64(String(decoding: $0, as: UTF8.self)) }) else { return nil }
        if releases { return .remoteRelease(node: node, lease: lease) }
        return .remoteRenew(node: node, lease: lease, ttl: words.count > 1 ? UInt64(String(decoding: words[1], as: UTF8.self)) : nil)
    }

    /// A user's release or renewal of a lease on another node that this node knows is
    /// another user's is refused here: the provider's node holds every lease of this node's
    /// users in this node's name and cannot tell them apart (a second reader: one user kept
    /// another paying for 30 days). Administrators may, as `release` of any lease here.
    func remoteLeaseRefusal(_ purpose: RoutePurpose, user: String) -> MarketRefusal? {
        let (node, lease): (String, UInt64)
        switch purpose {
        case .remoteRelease(let on, let id), .remoteRenew(let on, let id, _): (node, lease) = (on, id)
        default: return nil
        }
        let key = ReceiptBook.TabKey(node: node, lease: lease)
        guard let owner = market.receipts.tabs[key].map(\.user) ?? market.receipts.remote.entries[key]?.user, owner != user,
              !configuration.access.isAdministrator(user) else { return nil }
        return .notYours(lease: lease)
    }

    /// The reason a payer gives back a lease granted other than asked, after `release <lease>`.
    static let grantRefused = "grant-refused"

    /// How far a grant's start may be from this node's clock (seconds): as far as a payee
    /// accepts a receipt's end in its future (docs/market.md "Clocks").
    static let grantClockSkew: Int64 = 60

    /// Each tick: charges the tabs that are due and sends their receipts, with every one not
    /// acknowledged yet (again each ``Market/chargeInterval``); releases the leases of users
    /// whose balance reached zero; ends the leases here whose payer stopped paying.
    mutating func chargeTabs(now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork, market.hasReceiptWork, let signer = network?.signer else { return }
        let pinned = network?.topology.pinnedKeys ?? [:]
        let (receipts, broke, expired) = market.chargeTabs(now: now.wall, localNode: configuration.nodeName, signer: signer,
                                                           payeeKey: { pinned[$0] })
        // Run out without a renewal seen here: told now, whether or not its node says so.
        for key in expired { remoteLeaseEnded(node: key.node, lease: key.lease, reason: "expired", actions: &actions) }
        warnRemoteConsumers(receipts, actions: &actions)
        var nodes = Set(receipts.map(\.payee))
        if now.wall % max(1, market.chargeInterval) == 0 { nodes.formUnion(market.receipts.nodesOwed) }
        for node in nodes.sorted() { sendPendingReceipts(to: node, wall: now.wall, actions: &actions) }
        if now.wall % max(1, market.chargeInterval) == 0 { sendHeldLeases(wall: now.wall, actions: &actions) }
        // The lease is held in this node's name there: the payer's own signed line ends it.
        for key in broke {
            sendUsageRecord(Self.usageReceiptsPath, lines: ["release \(key.lease)"], to: key.node, wall: now.wall, actions: &actions)
        }
        if now.wall % 60 == 0 {
            market.expireAccounts(now: now.wall)
            market.receipts.relayGuard.forget(before: now.wall - ReceiptRelayGuard.window)
        }
        // Payee: a lease whose payer stopped paying ends (ten intervals, at least five minutes).
        for lease in market.receipts.unpaid(now: now.wall, limit: max(300, 10 * market.chargeInterval)) {
            if market.leases[lease] != nil {
                apply(market.end(lease, reason: "unpaid"), wall: now.wall, actions: &actions)
            } else {
                _ = market.accountEnded(lease: lease, wall: now.wall)
            }
        }
    }

    /// Sends every receipt owed to `node` that is not acknowledged yet, if a path leads there.
    func sendPendingReceipts(to node: String, wall: Int64, actions: inout [RouterAction]) {
        let pending = market.receipts.pending(to: node).prefix(ReceiptBook.maximumLines)
        sendUsageRecord(Self.usageReceiptsPath, lines: pending.map(\.text), to: node, wall: wall, actions: &actions)
    }

    static func receiptRecord(_ path: String, lines: [String]) -> [UInt8] {
        Render.multilineCommand(id: 0, path: path.utf8, Multiline(headers: [], body: lines.map { Array($0.utf8) }))
    }

    // MARK: - Payee (the provider's node)

    /// A lease was granted: if its consumer is another node's link and it is priced, the
    /// provider is paid by that node's receipts.
    /// - Returns: what the grant's reply adds for the consumer's node (` price <c> since <wall>`).
    mutating func openReceiptAccount(_ lease: Lease, now: Timestamp) -> String {
        guard let node = lease.payerNode ?? sessions[lease.consumer]?.link?.node else { return "" }
        let key = network?.topology.pinnedKeys[node] ?? ""
        guard let price = market.openAccount(lease: lease.id, payer: node, payerKey: key, wall: now.wall) else { return "" }
        return " price \(Ledger.credits(price)) since \(now.wall)"
    }

    /// A lease paid by receipts ended: its consumer's node is told when and why (`ended <lease>
    /// <wall> <reason>`), so it charges up to then and no further. One asked for through other
    /// nodes by a node that named itself is told there too, priced or not, so its consumer
    /// hears of it (docs/market.md "Leases held on other nodes").
    mutating func receiptLeaseEnded(_ lease: Lease, reason: String, wall: Int64?, actions: inout [RouterAction]) {
        if market.receipts.paidByReceipts(lease.id), let (payer, end) = market.accountEnded(lease: lease.id, wall: wall) {
            sendUsageRecord(Self.usageAcksPath, lines: ["ended \(lease.id) \(end) \(reason)"], to: payer, wall: end, actions: &actions)
        } else if let payer = lease.payerNode {
            let end = wall ?? market.lastCharge
            sendUsageRecord(Self.usageAcksPath, lines: ["ended \(lease.id) \(end) \(reason)"], to: payer, wall: end, actions: &actions)
        }
    }

    // MARK: - The link records

    /// A `usage-receipts` or `usage-acks` record from neighbour `neighbour`: its own, or one
    /// enveloped by another node (passed on, or read here as that node's).
    mutating func receiveUsageRecord(_ command: Command, from neighbour: String, now: Timestamp,
                                     actions: inout [RouterAction]) {
        guard inNetwork, let signer = network?.signer, let verifier = network?.topology.verifier,
              let multiline = command.multiline else {
            return actions.append(.event(.receiptRefused(node: neighbour, line: "malformed record")))
        }
        var peer = neighbour
        if !multiline.headers.isEmpty {
            guard let sender = openEnvelope(command, multiline, from: neighbour, now: now, actions: &actions) else { return }
            peer = sender
        }
        let pinned = network?.topology.pinnedKeys ?? [:]
        let lines = multiline.body.prefix(ReceiptBook.maximumLines).map { String(decoding: $0, as: UTF8.self) }
        let local = configuration.nodeName
        if command.path.elementsEqual(Self.usageReceiptsPath.utf8) {
            var answers: [String] = []
            for line in lines {
                if let answer = payerRequest(line, from: peer, now: now, actions: &actions) {
                    answers += answer
                    continue
                }
                let outcome = market.settle(line, from: peer, now: now.wall, localNode: local, signer: signer, verifier: verifier,
                                            pinnedKey: { pinned[$0] })
                if case .refused = outcome { actions.append(.event(.receiptRefused(node: peer, line: outcome.line))) }
                answers.append(outcome.line)
            }
            sendUsageRecord(Self.usageAcksPath, lines: answers, to: peer, wall: now.wall, actions: &actions)
            return
        }
        var resend = false
        for line in lines {
            let words = line.split(separator: " ", maxSplits: 3).map(String.init)
            if words.first == "refused", words.count == 4, let lease = UInt64(words[1]), let sequence = UInt64(words[2]),
               var reason = ReceiptRefusal(text: words[3]) {
                // An end is never charged past this node's clock (a second reader's finding:
                // `refused … ended <far future>` billed up to it as `ended` did).
                if case .ended(let end) = reason { reason = .ended(min(end, now.wall)) }
                actions.append(.event(.receiptRefused(node: peer, line: line)))
                let replacements = market.receiptRefused(node: peer, lease: lease, sequence: sequence, reason: reason,
                                                         wall: now.wall, localNode: local, signer: signer, payeeKey: { pinned[$0] })
                resend = resend || !replacements.isEmpty
            } else if words.first == "ended", (3...4).contains(words.count), let lease = UInt64(words[1]), let wall = Int64(words[2]) {
                // Never charged past this node's own clock: an end in the future (from a
                // hostile payee) would bill the time up to it at once (a second reader).
                let last = market.tabEnded(node: peer, lease: lease, at: min(wall, now.wall), localNode: local, signer: signer,
                                           payeeKey: { pinned[$0] })
                resend = resend || !last.isEmpty
                remoteLeaseEnded(node: peer, lease: lease, reason: words.count == 4 ? words[3] : "ended", actions: &actions)
            } else if words.first == "gone", words.count == 2, let lease = UInt64(words[1]) {
                remoteLeaseEnded(node: peer, lease: lease, reason: "gone", actions: &actions)
            } else if let ack = UsageReceipt(text: line) {
                // One not pending (acknowledged before: the receipt was sent twice) changes nothing.
                _ = market.acknowledge(ack, from: peer, payeeKey: pinned[peer], verifier: verifier)
            } else {
                actions.append(.event(.receiptRefused(node: peer, line: "unusable acknowledgement: \(line.prefix(80))")))
            }
        }
        if resend { sendPendingReceipts(to: peer, wall: now.wall, actions: &actions) }
    }
}
