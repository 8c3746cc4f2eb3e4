// Resource offers and leases (an extension [X]): the router wires the pure ``Market`` in —
// it parses the commands, feeds the market and turns its changes into notices and events.
// A consumer's `acquire` asks the provider with `lease-request <lease> <consumer> <amount> <ttl>`;
// capacity is reserved while it decides (docs/protocol.md §8.1, docs/market.md).
extension Router {
    /// Offers in id order.
    package var allOffers: [Offer] { market.allOffers }

    /// Leases in id order.
    package var allLeases: [Lease] { market.allLeases }

    /// `offer <kind> <capacity> [key=value…] [require <expression>]`
    mutating func offerCommand(_ words: [String], from id: SessionID, user: String, now: Timestamp,
                               actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard words.count >= 2 else { return (.falseReply, "usage: offer <kind> <capacity> [key=value...] [require <expression>]") }
        guard Names.isCommandName(words[0].utf8) || Names.isUserName(words[0].utf8) else {
            return (.falseReply, "invalid offer kind '\(words[0])'")
        }
        guard let capacity = Capacity.parse(words[1]), capacity > 0 else {
            return (.falseReply, "invalid capacity '\(words[1])' [ a number, optionally with KiB, MiB, GiB, TiB ]")
        }
        var attributes = Array(words.dropFirst(2))
        var requirement: Expression?
        if let start = attributes.firstIndex(of: "require") {
            let text = attributes[(start + 1)...].joined(separator: " ")
            attributes.removeSubrange(start...)
            switch ExpressionParser.parse(text) {
            case .success(let expression): requirement = expression
            case .failure(let error): return (.falseReply, "invalid requirement: \(error.message)")
            }
        }
        if let bad = attributes.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            return (.falseReply, "invalid attribute '\(bad)' [ key=value expected ]")
        }
        // Lending this node's slots to run its zenki (`compute` with `runs=`) is the node's own
        // offer, made by its manager from `node.compute.*` (docs/pooling.md "Bursts"). Anyone
        // could make one before: a user offered `runs=calc` to themselves, leased it free,
        // started `calc` processes, and its release drained the node's own `calc` for good (a
        // hostile tester's finding).
        if ComputeLeases.lendsInstances(kind: words[0], attributes: attributes) {
            guard sessions[id]?.kind == .inProcess, user == "v7" else {
                return (.falseReply, "a compute offer with runs= lends this node's slots: only the node makes it "
                            + "[ node.compute.slots, node.compute.runs ]")
            }
        }
        // Reputation is this node's to state (docs/market.md "Reputation").
        if let claimed = attributes.first(where: { Reputation.names.contains(String($0.prefix { $0 != "=" })) }) {
            return (.falseReply, "invalid attribute '\(claimed)' [ reserved for reputation ]")
        }
        if let account = sessions[id]?.account {
            let cost = Offer.memoryCost(kind: words[0], attributes: attributes, requirement: requirement)
            if let refusal = memory.refusal(cost, to: account) { return (.falseReply, refusal.text) }
            memory.charge(cost, to: account)
        }
        sessions[id]?.hasOffered = true
        // A provider offering again after a restart gets its stored offer back, leases and all.
        let offer = market.reattach(kind: words[0], capacity: capacity, attributes: attributes, requirement: requirement,
                                    provider: id, providerUser: user, wall: now.wall)
            ?? market.add(kind: words[0], capacity: capacity, attributes: attributes, requirement: requirement,
                          provider: id, providerUser: user, created: now.wall)
        stats.offersMade += 1
        actions.append(.event(.offer(id: offer.id, kind: offer.kind, capacity: capacity, provider: user)))
        return (.trueReply, "offer \(offer.id)")
    }

    /// `unoffer <id>`: only the providing session or user withdraws an offer.
    mutating func unofferCommand(_ words: [String], from id: SessionID, user: String, now: Timestamp,
                                 actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard let text = words.first, let offerID = UInt64(text), let offer = market.offers[offerID] else {
            return (.falseReply, "no such offer '\(words.first ?? "")'")
        }
        guard offer.provider == id || offer.providerUser == user else { return (.falseReply, "offer \(offerID) is not yours") }
        apply(market.withdraw(offerID, reason: "withdrawn"), wall: now.wall, actions: &actions)
        return (.trueReply, "offer \(offerID) withdrawn")
    }

    /// `acquire <offer> <amount> [ttl] [run <zenka>]` for a local offer: reserves capacity and
    /// asks the provider; a `compute` offer that lends instances is granted here and its
    /// instances started (docs/pooling.md "Bursts"). A lease for a neighbour's own user (not
    /// `relayed`) is paid by that node's receipts (docs/market.md "Usage receipts"); so is one
    /// relayed for a `payer` node that named itself.
    mutating func acquireLocal(_ command: Command, offer word: String, amount amountWord: String, ttl ttlWord: String?,
                               run: String?, from id: SessionID, user: String, relayed: Bool = false, payer: String? = nil,
                               now: Timestamp, actions: inout [RouterAction]) {
        func refuse(_ refusal: MarketRefusal) { actions.append(answer(id, command.id, .falseReply, refusal.text)) }
        var word = word
        // `<this node>:<id>` is a local offer written the network-wide way.
        if word.hasPrefix(configuration.nodeName + ":") { word.removeFirst(configuration.nodeName.count + 1) }
        guard let offerID = UInt64(word), let offer = market.offers[offerID] else { return refuse(.noSuchOffer(word)) }
        guard let amount = Capacity.parse(amountWord), amount > 0 else { return refuse(.invalidAmount(amountWord)) }
        if let text = ComputeLeases.refusal(offer: offer, run: run, zenki: configuration.zenki) {
            return actions.append(answer(id, command.id, .falseReply, text))
        }
        let ttl: UInt64
        switch Market.ttl(ttlWord) {
        case .success(let value): ttl = value
        case .failure(let refusal): return refuse(refusal)
        }
        // Each lease is charged to its holder's memory share, as an offer is to its provider's:
        // before, one user held 196,600 leases (134 MB) and was never refused
        // (docs/security.md "Resource limits").
        let account = sessions[id]?.account
        let memoryCost = Lease.memoryCost(user: user)
        if let account, let refusal = memory.refusal(memoryCost, to: account) {
            return actions.append(answer(id, command.id, .falseReply, refusal.text))
        }
        let node = consumerNode(of: id, user: user)
        let requested = market.request(offer: offerID, amount: amount, ttl: ttl, consumer: id, consumerUser: user,
                                       consumerNode: node, providerPresent: sessions[offer.provider]?.isReachable == true,
                                       paidByReceipts: sessions[id]?.link != nil && (!relayed || payer != nil),
                                       payerNode: payer, memoryAccount: account?.user, now: now.monotonic)
        switch requested {
        case .failure(let refusal): refuse(refusal)
        case .success(let lease):
            // To the session's account: a link's for a remote user's lease (before, those were
            // never charged, though refused against the link's account: a reviewer).
            if lease.memoryAccount != nil, let account { memory.charge(memoryCost, to: account) }
            if let run { return serveCompute(lease, zenka: run, command: command, from: id, now: now, actions: &actions) }
            let request = Command(id: command.id, path: Array("lease-request".utf8),
                                  args: Array("\(lease.id) \(user) \(amount) \(ttl)".utf8))
            if let slot = forward(request, remainder: request.path, from: id, to: offer.provider, now: now, actions: &actions) {
                routes.setPurpose(.leaseRequest(lease.id), of: slot)
            }
        }
    }

    /// The node a consumer is on: a lease asked for by another node's link is held in that
    /// node's name (docs/resources.md), so its user is the node.
    func consumerNode(of id: SessionID, user: String) -> String {
        sessions[id]?.link != nil ? user : configuration.nodeName
    }

    /// The provider answered a `lease-request`.
    mutating func leaseAnswered(_ leaseID: UInt64, reply: Reply, route: Route, now: Timestamp,
                                actions: inout [RouterAction]) {
        guard market.leases[leaseID] != nil else { return }
        if reply.keyword == .trueReply || reply.keyword == .get, let lease = market.grant(leaseID, now: now.monotonic, wall: now.wall) {
            leaseGranted(lease, to: route.source, commandID: route.sourceCommandID, now: now, actions: &actions)
        } else {
            apply(market.refuse(leaseID), actions: &actions)
            let text = reply.text.isEmpty ? Array("lease refused by provider".utf8) : reply.text
            actions.append(answer(route.source, route.sourceCommandID, .falseReply, text))
        }
    }

    /// Tells the consumer `TRUE lease …` and observers `lease …`.
    mutating func leaseGranted(_ lease: Lease, to source: SessionID, commandID: UInt64, now: Timestamp,
                               actions: inout [RouterAction]) {
        // A priced lease for another node's link: that node pays by receipts and learns the
        // price and start here (docs/market.md "Usage receipts").
        let paid = openReceiptAccount(lease, now: now)
        actions.append(answer(source, commandID, .trueReply,
                              "lease \(lease.id) offer \(lease.offer) amount \(lease.amount) ttl \(lease.ttl)\(paid)"))
        stats.leasesGranted += 1
        actions.append(.event(.lease(id: lease.id, offer: lease.offer, consumer: lease.consumerUser, amount: lease.amount)))
    }

    /// `renew <lease> [ttl]`
    mutating func renew(_ words: [String], from id: SessionID, user: String, now: Timestamp) -> (ReplyKeyword, String) {
        guard let text = words.first, let leaseID = UInt64(text) else { return (.falseReply, "no such lease '\(words.first ?? "")'") }
        switch market.renew(leaseID, ttl: words.count > 1 ? words[1] : nil, user: user, session: id, now: now.monotonic) {
        case .success(let lease):
            chargeRestoredLease(lease, to: sessions[id]?.account)
            return (.trueReply, "lease \(leaseID) renewed [ ttl \(lease.ttl) s ]")
        case .failure(let refusal): return (.falseReply, refusal.text)
        }
    }

    /// A lease restored from the store (docs/market.md "Storage") was never charged to
    /// memory: its holder's account was not known then. Its consumer's session taking it over
    /// (`renew`, or a link's `held` list) charges it now, so that the share counts it and its
    /// end gives back what was charged (before, restored leases were held outside every share).
    mutating func chargeRestoredLease(_ lease: Lease, to account: MemoryAccount?) {
        guard lease.memoryAccount == nil, let account else { return }
        memory.charge(Lease.memoryCost(user: lease.consumerUser), to: account)
        market.chargedMemory(of: lease.id, to: account.user)
    }

    /// `release <lease>`; also used by the mount's `rm leases/<id>`.
    package mutating func release(_ leaseID: UInt64, user: String, now: Timestamp) -> (Bool, String, [RouterAction]) {
        let mayEndAny = configuration.access.isAdministrator(user)
        if let refusal = market.checkRelease(leaseID, user: user, mayEndAny: mayEndAny) { return (false, refusal.text, []) }
        var actions: [RouterAction] = []
        apply(market.end(leaseID, reason: "released", charging: now.wall), wall: now.wall, actions: &actions)
        return (true, "lease \(leaseID) released", actions)
    }

    /// Ends a lease (reason nil: a request ended silently).
    mutating func endLease(_ leaseID: UInt64, reason: String?, actions: inout [RouterAction]) {
        apply(market.end(leaseID, reason: reason), actions: &actions)
    }

    /// Ends a request its provider did not answer (route timeout, provider gone): counted
    /// against the provider's reputation.
    mutating func refuseLease(_ leaseID: UInt64, actions: inout [RouterAction]) {
        apply(market.refuse(leaseID), actions: &actions)
    }

    /// A session that provided or consumed is gone: its offers vanish, their leases end, and
    /// the leases it held wait `leases.grace` for their user.
    mutating func marketSessionLeft(_ session: Session, now: Timestamp, actions: inout [RouterAction]) {
        if session.hasOffered { apply(market.providerLeft(session.id), wall: now.wall, actions: &actions) }
        let grace = UInt64(configuration.leaseGraceSeconds) * 1_000_000_000
        apply(market.consumerLeft(session.id, grace: grace, now: now.monotonic), wall: now.wall, actions: &actions)
    }

    /// Leases past their end, or past their consumer's grace, end; priced leases are charged.
    mutating func expireLeases(now: Timestamp, actions: inout [RouterAction]) {
        market.chargeInterval = Int64(configuration.chargeIntervalSeconds)
        apply(market.expire(now: now.monotonic, wall: now.wall), wall: now.wall, actions: &actions)
        apply(market.charge(now: now), wall: now.wall, actions: &actions)
        market.observeProviders(wall: now.wall)
        chargeTabs(now: now, actions: &actions)
    }

    /// Tells both parties of each ended lease (`lease-end <id> <reason>`, sent without an id:
    /// a notice, not a question) and gives back what a gone offer cost its provider.
    /// `wall`: when, for a lease paid by receipts (nil: the last charging tick).
    mutating func apply(_ changes: [MarketChange], wall: Int64? = nil, actions: inout [RouterAction]) {
        for change in changes {
            switch change {
            case .leaseEnded(let lease, let reason, let provider):
                computeLeaseEnded(lease.id, actions: &actions)
                if let name = lease.memoryAccount, let account = memory.accounts[name] {
                    memory.charge(-Lease.memoryCost(user: lease.consumerUser), to: account)
                    memory.release(account)
                }
                guard let reason else { continue }
                receiptLeaseEnded(lease, reason: reason, wall: wall, actions: &actions)
                let text = "\(lease.id) \(reason)"
                if let provider, sessions[provider] != nil { actions.append(notice(provider, "lease-end", text)) }
                if lease.consumerGoneUntil == nil, sessions[lease.consumer] != nil { actions.append(notice(lease.consumer, "lease-end", text)) }
                actions.append(.event(.leaseEnded(id: lease.id, reason: reason)))
            case .leaseWarned(let lease, let reason):
                if lease.consumerGoneUntil == nil, sessions[lease.consumer] != nil {
                    actions.append(notice(lease.consumer, "lease-warning", "\(lease.id) \(reason)"))
                }
            case .offerGone(let offer, let reason):
                // A restored offer nobody offered again was never charged.
                if offer.detachedUntil == nil, let account = memory.accounts[offer.providerUser] {
                    memory.charge(-Offer.memoryCost(kind: offer.kind, attributes: offer.attributes,
                                                    requirement: offer.requirement), to: account)
                    memory.release(account)
                }
                actions.append(.event(.offerGone(id: offer.id, reason: reason)))
            }
        }
    }

    func offersTable(kind: String?) -> String {
        var table = TextTable(headers: ["offer", "kind", "provider", "capacity", "available", "attributes"])
        for offer in allOffers where kind == nil || offer.kind == kind {
            var attributes = offer.attributes
            if let requirement = offer.requirement { attributes += ["require", ExpressionRendering.render(requirement)] }
            table.append([String(offer.id), offer.kind, offer.providerUser, String(offer.capacity), String(offer.available),
                          attributes.isEmpty ? "-" : attributes.joined(separator: " ")])
        }
        for row in remoteOfferRows(kind: kind) { table.append(row) }
        return table.render()
    }

    func leasesTable(user: String, now: Timestamp) -> String {
        var table = TextTable(headers: ["lease", "offer", "consumer", "amount", "state", "expires in"])
        for lease in allLeases where lease.consumerUser == user || market.offers[lease.offer]?.providerUser == user {
            let left = lease.expires > now.monotonic ? lease.expires - now.monotonic : 0
            table.append([String(lease.id), String(lease.offer), lease.consumerUser, String(lease.amount),
                          lease.state.rawValue, TimeText.duration(nanoseconds: left)])
        }
        for row in remoteLeaseRows(user: user, wall: now.wall) { table.append(row) }
        return table.render()
    }
}
