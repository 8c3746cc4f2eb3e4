// The network's local commands: `link`, `unlink`, `links`, `list nodes`, and the remote half of
// `offers` and `acquire` (docs/protocol.md "Links and nodes").
extension Router {
    /// `link tcp:HOST:PORT`: keep a link to that peer (the dialer redials it with backoff).
    /// `link NODE`: accept links from a node unlinked earlier again.
    mutating func linkCommand(_ words: [String], actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard inNetwork else { return (.falseReply, Wire.noNetwork) }
        if words.count == 1, network?.acceptAgain(words[0]) == true {
            return (.trueReply, "accepting links from \(words[0]) again")
        }
        guard words.count == 1, let address = PeerAddress(words[0]) else {
            return (.falseReply, "usage: link tcp:<host>:<port> | link <unlinked node>")
        }
        guard network?.linkPeer(address) == true else { return (.trueReply, "already linking \(words[0])") }
        actions.append(.dial(address))
        return (.trueReply, "linking \(words[0])")
    }

    /// `unlink NODE|tcp:HOST:PORT`: stop redialling and close the links to that node.
    mutating func unlinkCommand(_ words: [String], now: Timestamp, actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard inNetwork else { return (.falseReply, Wire.noNetwork) }
        guard words.count == 1 else { return (.falseReply, "usage: unlink <node|tcp:host:port>") }
        let word = words[0]
        let sessions = sessions
        guard let unlinking = network?.unlink(word, linkAddress: { sessions[$0]?.link?.address }) else {
            return (.falseReply, "no such link '\(word)'")
        }
        for address in unlinking.hangUp { actions.append(.hangUp(address)) }
        for id in unlinking.close {
            actions.append(.send(id, Render.terminate("unlinked by \(configuration.nodeName)")))
            close(id, now: now, actions: &actions)
        }
        return (.trueReply, "unlinked \(unlinking.node ?? word) [ \(unlinking.close.count) link(s) closed ]")
    }

    /// `links`: one row per link session, then every peer address being dialled without one.
    func linksTable(now: Timestamp) -> String? {
        guard let state = network else { return nil }
        var table = TextTable(headers: ["node", "sid", "direction", "address", "state", "age", "origin"])
        var shown = Set<String>()
        for (node, ids) in state.links.sorted(by: { $0.key < $1.key }) {
            for (index, id) in ids.enumerated() {
                guard let session = sessions[id], let link = session.link else { continue }
                shown.insert(link.address)
                table.append([node, String(id), link.outbound ? "out" : "in", link.address, index == 0 ? "up" : "spare",
                              TimeText.duration(nanoseconds: now.monotonic &- session.since.monotonic),
                              link.peer.flatMap { state.peers[$0]?.source.rawValue } ?? "-"])
            }
        }
        for (address, peer) in state.peers.sorted(by: { $0.key < $1.key }) where !shown.contains(address.description) {
            let linked = peer.node.map { isLinked(to: $0) } ?? false
            let status = linked ? "up (other direction)" : (peer.lastError.map { "retrying: \($0)" } ?? "connecting")
            table.append([peer.node ?? "?", "-", "out", address.description, status, "-", peer.source.rawValue])
        }
        return table.render()
    }

    /// `list nodes`: every node of the topology with its distance, next hop and advert.
    func nodesTable(now: Timestamp) -> String? {
        guard let topology = network?.topology else { return nil }
        var table = TextTable(headers: ["node", "distance", "via", "neighbours", "zenki", "offers", "seq", "age"])
        for node in topology.nodes {
            let advert = topology.advert(of: node)
            let distance = topology.distance(to: node).map(String.init) ?? "unreachable"
            let via = node == topology.localNode ? "-" : (topology.nextHop(to: node) ?? "-")
            table.append([node, distance, via, advert.map { $0.neighbours.map(\.name).joined(separator: ",") } ?? "-",
                          advert.map { String($0.zenki.count) } ?? "-", advert.map { String($0.offers.count) } ?? "-",
                          advert.map { String($0.sequence) } ?? "-",
                          advert.map { "\(max(0, now.wall - $0.issued))s" } ?? "-"])
        }
        return table.render()
    }

    /// Offers of other nodes as their latest adverts list them, as `offers` rows (the id is
    /// written `<node>:<id>`; `acquire` takes it in that form).
    func remoteOfferRows(kind: String?) -> [[String]] {
        guard let topology = network?.topology else { return [] }
        var rows: [[String]] = []
        for node in topology.reachableNodes where node != topology.localNode {
            for offer in topology.advert(of: node)?.offers ?? [] where kind == nil || offer.kind == kind {
                rows.append(["\(node):\(offer.id)", offer.kind, node, String(offer.capacity), String(offer.available),
                             offer.attributes.isEmpty ? "-" : offer.attributes.joined(separator: " ")])
            }
        }
        return rows
    }

    /// `acquire <node>:<offer> …` for an offer of another node: sent there as
    /// `<node>.acquire <offer> …`; the reply comes back on this route.
    /// - Returns: false if the offer is not remote (the caller handles it locally).
    mutating func acquireRemote(_ command: Command, words: [String], from id: SessionID, now: Timestamp,
                                actions: inout [RouterAction]) -> Bool {
        guard let first = words.first, let colon = first.firstIndex(of: ":") else { return false }
        let node = String(first[..<colon])
        if node == configuration.nodeName { return false }
        guard isRemoteNode(node) else {
            actions.append(answer(id, command.id, .falseReply, "no such offer '\(first)'"))
            return true
        }
        var args = ([String(first[first.index(after: colon)...])] + words.dropFirst()).joined(separator: " ")
        // Past a neighbour, this node names itself to pay (docs/market.md "Receipts across the network").
        if nextHop(towards: node) != node { args += PayerClause.suffix(configuration.nodeName) }
        let remote = Command(id: command.id, path: Array("\(node).acquire".utf8), args: Array(args.utf8))
        let user = sessions[id]?.user ?? ""
        // A priced offer needs credit here, where its receipts will be charged (docs/market.md).
        let offerID = UInt64(first[first.index(after: colon)...])
        // Only an offer this node has seen advertised (what `offers` lists here): its price is
        // what the user agrees to, checked against credit here and against the grant
        // (``remoteLeaseGranted(_:node:user:session:asked:wall:actions:)``).
        guard let advertised = network?.topology.advert(of: node)?.offers.first(where: { $0.id == offerID }) else {
            actions.append(answer(id, command.id, .falseReply, MarketRefusal.noSuchOffer(first).text))
            return true
        }
        let price = advertised.attributes.first { $0.hasPrefix("price=") }.flatMap { Ledger.millicredits(String($0.dropFirst(6))) }
        // A cost an hour the ledger cannot hold is refused here too (the provider's node
        // refuses it as well: docs/market.md "Prices and credits").
        let amount = words.dropFirst().first.flatMap(Capacity.parse) ?? 0
        if let price, price > 0, Market.hourlyCost(price: price, amount: amount) == nil {
            actions.append(answer(id, command.id, .falseReply, MarketRefusal.tooCostly.text))
            return true
        }
        if (price ?? 0) > 0, market.ledger.balance(of: user) <= 0 {
            let refusal = MarketRefusal.insufficientCredit(balance: market.ledger.balance(of: user))
            actions.append(answer(id, command.id, .falseReply, refusal.text))
            return true
        }
        // `acquire <offer> <amount> [ttl] [run <zenka>]`: the ttl the grant may have at most.
        let ttl = min(words.count > 2 ? UInt64(words[2]) ?? Market.defaultLeaseTTL : Market.defaultLeaseTTL, Market.maximumLeaseTTL)
        let purpose = RoutePurpose.remoteAcquire(node: node, user: user, price: price ?? 0, amount: amount, ttl: ttl)
        if let refusal = forwardToNode(remote, node: node, hops: .initial, fromLink: false, from: id, purpose: purpose, now: now,
                                       actions: &actions) {
            actions.append(answer(id, command.id, .falseReply, refusal.text))
        }
        return true
    }
}
