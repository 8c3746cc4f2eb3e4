// Usage records between nodes that are not neighbours, and the consumer's side of leases held
// on other nodes (docs/market.md "Receipts across the network", "Leases held on other nodes",
// "A link that comes back"). The state is the market's ``ReceiptBook`` (its
// ``ReceiptRelayGuard`` and ``RemoteLeases``); this file only carries records and notices.
extension Router {
    // MARK: - Carrying records

    /// Sends `lines` as a `path` record to `node`: bare on the link when it is a neighbour,
    /// else in a ``ReceiptEnvelope`` this node signs, on the link towards it.
    func sendUsageRecord(_ path: String, lines: [String], to node: String, wall: Int64, actions: inout [RouterAction]) {
        guard !lines.isEmpty else { return }
        if let link = linkSession(to: node) {
            return actions.append(.send(link, Self.receiptRecord(path, lines: lines)))
        }
        guard let signer = network?.signer, let next = nextHop(towards: node), let link = linkSession(to: next) else { return }
        let envelope = ReceiptEnvelope(record: path, from: configuration.nodeName, to: node, issued: wall, lines: lines)
        actions.append(.send(link, Self.envelopeRecord(envelope.signed(by: signer))))
    }

    static func envelopeRecord(_ envelope: ReceiptEnvelope) -> [UInt8] {
        Render.multilineCommand(id: 0, path: envelope.record.utf8,
                                Multiline(headers: envelope.headers, body: envelope.lines.map { Array($0.utf8) }))
    }

    /// An enveloped record arrived from `neighbour`: one for another node is passed on
    /// unchanged (one hop less; nothing here is read, charged or credited), one for this node
    /// is checked (``ReceiptRelayGuard``).
    /// - Returns: the node whose lines these are, when they are to be read here.
    mutating func openEnvelope(_ command: Command, _ multiline: Multiline, from neighbour: String, now: Timestamp,
                               actions: inout [RouterAction]) -> String? {
        let record = String(decoding: command.path, as: UTF8.self)
        guard let envelope = ReceiptEnvelope(record: record, headers: multiline.headers, body: multiline.body) else {
            actions.append(.event(.receiptRefused(node: neighbour, line: "malformed envelope")))
            return nil
        }
        guard envelope.to == configuration.nodeName else {
            guard let forwarded = envelope.forwarded, let next = nextHop(towards: envelope.to), next != neighbour,
                  let link = linkSession(to: next) else {
                actions.append(.event(.receiptRefused(node: neighbour, line: "undeliverable envelope \(envelope.from) to \(envelope.to)")))
                return nil
            }
            actions.append(.send(link, Self.envelopeRecord(forwarded)))
            return nil
        }
        guard let verifier = network?.topology.verifier else { return nil }
        let key = network?.topology.pinnedKeys[envelope.from]
        if let refusal = market.receipts.relayGuard.admit(envelope, now: now.wall, senderKey: key, verifier: verifier) {
            let line = "\(refusal.rawValue) envelope from \(envelope.from) issued \(envelope.issued)"
            actions.append(.event(.receiptRefused(node: neighbour, line: line)))
            return nil
        }
        return envelope.from
    }

    // MARK: - The provider's node

    /// A `release <lease>` or `held <lease>…` line from the paying node `peer`.
    /// - Returns: the lines that answer it, or nil when it is neither (a receipt).
    mutating func payerRequest(_ line: String, from peer: String, now: Timestamp, actions: inout [RouterAction]) -> [String]? {
        if let ids = LeaseReconciliation.ids(line) {
            let outcome = LeaseReconciliation.compare(listed: Set(ids), held: market.leasesHeld(for: peer))
            for id in outcome.takeOver {
                guard let asker = market.leases[id]?.consumerUser, let link = linkSession(to: asker) else { continue }
                if market.takeOver(id, session: link), let lease = market.leases[id] {
                    chargeRestoredLease(lease, to: sessions[link]?.account)
                }
            }
            for id in outcome.end { apply(market.end(id, reason: "consumer-gone"), wall: now.wall, actions: &actions) }
            return outcome.unknown.map { unknownLease($0, peer: peer) }
        }
        let words = line.split(separator: " ")
        guard words.count == 2 || words.count == 3 && words[2] == Self.grantRefused, words[0] == "release",
              let id = UInt64(words[1]) else { return nil }
        // The payer's own line: its user ran out of credit (docs/market.md "Prices and credits"),
        // or it refused the grant as other than asked ("Prices and credits").
        guard market.isHeld(id, for: peer) else { return [unknownLease(id, peer: peer)] }
        apply(market.end(id, reason: words.count == 3 ? Self.grantRefused : "out-of-credit"), wall: now.wall, actions: &actions)
        return []
    }

    /// The answer for a lease `peer` names that is not held for it here: when it ended, if
    /// this node still knows (a receipt account), else `gone`.
    func unknownLease(_ id: UInt64, peer: String) -> String {
        if let account = market.receipts.accounts[id], account.payer == peer, let ended = account.ended { return "ended \(id) \(ended)" }
        return "gone \(id)"
    }

    // MARK: - The consumer's node

    /// Leases this node's users hold on other nodes, by node and id (`leases/` in the mount).
    package var remoteLeases: [RemoteLeases.Entry] {
        market.receipts.remote.entries.values.sorted { ($0.node, $0.lease) < ($1.node, $1.lease) }
    }

    /// A link came up: the receipts owed to that node, and every node's `held` list.
    func leasesLinkReturned(_ node: String, wall: Int64, actions: inout [RouterAction]) {
        sendPendingReceipts(to: node, wall: wall, actions: &actions)
        sendHeldLeases(wall: wall, actions: &actions)
    }

    /// Tells every node where this node's users hold leases which ones (``LeaseReconciliation``).
    func sendHeldLeases(wall: Int64, actions: inout [RouterAction]) {
        let book = market.receipts
        var held: [String: Set<UInt64>] = [:]
        for key in book.remote.entries.keys { held[key.node, default: []].insert(key.lease) }
        for (key, tab) in book.tabs where !tab.closed { held[key.node, default: []].insert(key.lease) }
        for (node, ids) in held.sorted(by: { $0.key < $1.key }) where nextHop(towards: node) != nil {
            sendUsageRecord(Self.usageReceiptsPath, lines: LeaseReconciliation.lines(ids.sorted()), to: node, wall: wall,
                            actions: &actions)
        }
    }

    /// `leases` rows for `user`'s leases held on other nodes (`<node>:<lease>`, the offer as
    /// `<node>:<offer>`); a priced one known only from its tab (after a restart) shows `-` for
    /// what the tab does not keep. The time left is as granted or last renewed through this node.
    func remoteLeaseRows(user: String, wall: Int64) -> [[String]] {
        let remote = market.receipts.remote
        var rows = remote.held(by: user).map { entry in
            let left = max(0, entry.granted + Int64(entry.ttl) - wall)
            return [entry.name, "\(entry.node):\(entry.offer)", user, String(entry.amount), "active",
                    TimeText.duration(nanoseconds: UInt64(left) * 1_000_000_000)]
        }
        for (key, tab) in market.receipts.tabs.sorted(by: { $0.key < $1.key })
        where tab.user == user && !tab.closed && remote.entries[key] == nil {
            rows.append(["\(key.node):\(key.lease)", "-", user, String(tab.amount), "active", "-"])
        }
        return rows
    }

    /// After charging: a consumer whose credit runs low is warned, as a local one is.
    mutating func warnRemoteConsumers(_ receipts: [UsageReceipt], actions: inout [RouterAction]) {
        for receipt in receipts {
            let key = ReceiptBook.TabKey(node: receipt.payee, lease: receipt.lease)
            guard let tab = market.receipts.tabs[key],
                  let warning = market.receipts.remote.charged(key, user: tab.user, price: tab.price, amount: tab.amount,
                                                               balance: market.ledger.balance(of: tab.user)) else { continue }
            tellConsumer(warning, actions: &actions)
        }
    }

    /// Lease `lease` of `node` ended there (`reason`): its consumer here is told once.
    mutating func remoteLeaseEnded(node: String, lease: UInt64, reason: String, actions: inout [RouterAction]) {
        guard let ended = market.receipts.remote.ended(node: node, lease: lease, reason: reason) else { return }
        tellConsumer(ended, actions: &actions)
    }

    /// Sends a notice to the session that asked for the lease, or, when it is gone, to every
    /// session of its user here.
    func tellConsumer(_ told: RemoteLeases.Notice, actions: inout [RouterAction]) {
        let (user, session): (String, SessionID?) = switch told {
        case .warning(_, let user, let session), .ended(_, _, let user, let session): (user, session)
        }
        let (path, args) = told.command
        if let session, sessions[session]?.user == user, sessions[session]?.isActive == true {
            return actions.append(notice(session, path, args))
        }
        for id in users.ids(of: user) where sessions[id]?.isLink == false { actions.append(notice(id, path, args)) }
    }
}
