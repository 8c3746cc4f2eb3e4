// `acquire`: a named offer, here or on another node, or the best match of a kind in the whole
// network (docs/protocol.md §8.1, §10; docs/market.md "Matchmaking").
extension Router {
    /// `acquire <offer> <amount> [ttl]` or `acquire <kind> <amount> [ttl] [where …] [rank …]`.
    /// `relayed`: it came over a link from beyond the neighbour (``LocalCall/relayed``).
    mutating func acquire(_ command: Command, words: [String], from id: SessionID, user: String, relayed: Bool = false,
                          now: Timestamp, actions: inout [RouterAction]) {
        func refuse(_ text: String) { actions.append(answer(id, command.id, .falseReply, text)) }
        // A node that asks for its own user through others names itself to pay (docs/market.md
        // "Receipts across the network"); only a link may, and only past its neighbour.
        var words = words, payer: String?
        if sessions[id]?.link != nil, let split = PayerClause.split(words) {
            words = split.words
            payer = relayed ? split.payer : nil
        }
        guard let first = words.first, words.count >= 2 else { return refuse(AcquireQuery.usage) }
        // An offer id is digits, or `<node>:<digits>`; anything else is a kind to match.
        if first.contains(":") || first.utf8.allSatisfy(Bytes.isDigit) {
            // `… run <zenka>` names what a compute lease runs (docs/pooling.md "Bursts").
            let run = words.count >= 4 && words[words.count - 2] == "run" ? words[words.count - 1] : nil
            let plain = run == nil ? words : Array(words.dropLast(2))
            guard plain.count <= 3 else { return refuse(AcquireQuery.usage) }
            if acquireRemote(command, words: words, from: id, now: now, actions: &actions) { return }
            return acquireLocal(command, offer: first, amount: plain[1], ttl: plain.count == 3 ? plain[2] : nil, run: run,
                                from: id, user: user, relayed: relayed, payer: payer, now: now, actions: &actions)
        }
        let query: AcquireQuery
        switch AcquireQuery.parse(words) {
        case .success(let parsed): query = parsed
        case .failure(let error): return refuse(error.message)
        }
        guard case .success(let ttl) = Market.ttl(query.ttl) else { return refuse(MarketRefusal.invalidTTL(query.ttl ?? "").text) }
        // Local offers whose requirement the consumer does not meet are not candidates; other
        // nodes check theirs when asked.
        let node = consumerNode(of: id, user: user)
        let candidates = marketCandidates { $0.admits(user: user, node: node, amount: query.amount, ttl: ttl) }
        guard let pick = Matchmaker.best(candidates, kind: query.kind, amount: query.amount,
                                         requirement: query.requirement, rank: query.rank) else {
            return refuse("no offer of kind '\(query.kind)' matches")
        }
        // Which offer was chosen, before the provider's answer (a lease id alone does not say
        // which node holds it).
        let local = pick.node == configuration.nodeName
        let name = local ? String(pick.offer) : "\(pick.node):\(pick.offer)"
        actions.append(answer(id, command.id, .wait, "matched offer \(name)"))
        let amount = String(query.amount)
        if local {
            acquireLocal(command, offer: name, amount: amount, ttl: query.ttl, run: nil, from: id, user: user, relayed: relayed,
                         payer: payer, now: now, actions: &actions)
        } else {
            let forwarded = [name, amount] + (query.ttl.map { [$0] } ?? [])
            _ = acquireRemote(command, words: forwarded, from: id, now: now, actions: &actions)
        }
    }

    /// Every offer this node knows: its own that `admits` lets through, and those of reachable
    /// nodes' adverts.
    func marketCandidates(admits: (Offer) -> Bool) -> [MarketCandidate] {
        // An offer restored from the store waits for its provider: not a candidate until then.
        var candidates = market.allOffers.filter { $0.detachedUntil == nil && admits($0) }.map { offer in
            MarketCandidate(node: configuration.nodeName, offer: offer.id, kind: offer.kind, capacity: offer.capacity,
                            available: offer.available, attributes: market.reputationAttributes(of: offer.providerUser) + offer.attributes,
                            distance: 0, provider: offer.providerUser)
        }
        guard let topology = network?.topology else { return candidates }
        for node in topology.reachableNodes where node != topology.localNode {
            let distance = topology.distance(to: node) ?? UInt64.max
            for offer in topology.advert(of: node)?.offers ?? [] {
                candidates.append(MarketCandidate(node: node, offer: offer.id, kind: offer.kind, capacity: offer.capacity,
                                                  available: offer.available, attributes: offer.attributes,
                                                  distance: distance, provider: node))
            }
        }
        return candidates
    }
}
