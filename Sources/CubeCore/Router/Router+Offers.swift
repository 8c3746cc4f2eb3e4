// Resource offers and leases (an extension [X]): a pure registry with capacity accounting
// that never over-commits. A consumer's `acquire` asks the provider with
// `lease-request <lease> <consumer> <amount> <ttl>`; capacity is reserved while it decides.
extension Router {
    static let defaultLeaseTTL: UInt64 = 3600
    static let maximumLeaseTTL: UInt64 = 30 * 86_400

    /// Offers in id order.
    public var allOffers: [Offer] { offers.values.sorted { $0.id < $1.id } }

    /// Leases in id order.
    public var allLeases: [Lease] { leases.values.sorted { $0.id < $1.id } }

    /// `offer <kind> <capacity> [key=value…]`
    mutating func offerCommand(_ words: [String], from id: SessionID, user: String, now: Timestamp,
                               actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard words.count >= 2 else { return (.falseReply, "usage: offer <kind> <capacity> [key=value...]") }
        guard Names.isCommandName(words[0].utf8) || Names.isUserName(words[0].utf8) else {
            return (.falseReply, "invalid offer kind '\(words[0])'")
        }
        guard let capacity = Capacity.parse(words[1]), capacity > 0 else {
            return (.falseReply, "invalid capacity '\(words[1])' [ a number, optionally with KiB, MiB, GiB, TiB ]")
        }
        let attributes = Array(words.dropFirst(2))
        if let bad = attributes.first(where: { !$0.contains("=") || $0.hasPrefix("=") }) {
            return (.falseReply, "invalid attribute '\(bad)' [ key=value expected ]")
        }
        let offerID = nextOfferID
        nextOfferID += 1
        if let account = sessions[id]?.account {
            let cost = Offer.memoryCost(kind: words[0], attributes: attributes)
            if let refusal = memory.refusal(cost, to: account) { return (.falseReply, refusal.text) }
            memory.charge(cost, to: account)
        }
        sessions[id]?.hasOffered = true
        offers[offerID] = Offer(id: offerID, kind: words[0], capacity: capacity, attributes: attributes, provider: id,
                                providerUser: user)
        stats.offersMade += 1
        actions.append(.event(.offer(id: offerID, kind: words[0], capacity: capacity, provider: user)))
        return (.trueReply, "offer \(offerID)")
    }

    /// `unoffer <id>`: only the providing session or user withdraws an offer.
    mutating func unofferCommand(_ words: [String], from id: SessionID, user: String, now: Timestamp,
                                 actions: inout [RouterAction]) -> (ReplyKeyword, String) {
        guard let text = words.first, let offerID = UInt64(text), let offer = offers[offerID] else {
            return (.falseReply, "no such offer '\(words.first ?? "")'")
        }
        guard offer.provider == id || offer.providerUser == user else { return (.falseReply, "offer \(offerID) is not yours") }
        withdraw(offerID, reason: "withdrawn", now: now, actions: &actions)
        return (.trueReply, "offer \(offerID) withdrawn")
    }

    /// `acquire <offer> <amount> [ttl]`: reserves capacity and asks the provider.
    mutating func acquire(_ command: Command, words: [String], from id: SessionID, user: String, now: Timestamp,
                          actions: inout [RouterAction]) {
        func refuse(_ text: String) { actions.append(answer(id, command.id, .falseReply, text)) }
        guard words.count >= 2, words.count <= 3 else { return refuse("usage: acquire <offer> <amount> [ttl]") }
        if acquireRemote(command, words: words, from: id, now: now, actions: &actions) { return }
        var words = words
        // `<this node>:<id>` is a local offer written the network-wide way.
        if words[0].hasPrefix(configuration.nodeName + ":") { words[0].removeFirst(configuration.nodeName.count + 1) }
        guard let offerID = UInt64(words[0]), var offer = offers[offerID] else { return refuse("no such offer '\(words[0])'") }
        guard let amount = Capacity.parse(words[1]), amount > 0 else { return refuse("invalid amount '\(words[1])'") }
        let ttl = words.count == 3 ? UInt64(words[2]) : Self.defaultLeaseTTL
        guard let ttl, ttl > 0, ttl <= Self.maximumLeaseTTL else {
            return refuse("invalid ttl '\(words[2])' [ 1...\(Self.maximumLeaseTTL) seconds ]")
        }
        guard amount <= offer.available else { return refuse("insufficient capacity [ \(offer.available) available ]") }
        guard sessions[offer.provider]?.isActive == true else { return refuse(Wire.clientNotPresent) }
        let leaseID = nextLeaseID
        nextLeaseID += 1
        offer.committed += amount
        offers[offerID] = offer
        leases[leaseID] = Lease(id: leaseID, offer: offerID, consumer: id, consumerUser: user, amount: amount, ttl: ttl,
                                expires: now.monotonic + ttl * 1_000_000_000, state: .requested)
        let request = Command(id: command.id, path: Array("lease-request".utf8),
                              args: Array("\(leaseID) \(user) \(amount) \(ttl)".utf8))
        if let slot = forward(request, remainder: request.path, from: id, to: offer.provider, now: now, actions: &actions) {
            routes.setPurpose(.leaseRequest(leaseID), of: slot)
        }
    }

    /// The provider answered a `lease-request`.
    mutating func leaseAnswered(_ leaseID: UInt64, reply: Reply, route: Route, now: Timestamp,
                                actions: inout [RouterAction]) {
        guard var lease = leases[leaseID] else { return }
        if reply.keyword == .trueReply || reply.keyword == .get {
            lease.state = .active
            lease.expires = now.monotonic + lease.ttl * 1_000_000_000
            leases[leaseID] = lease
            actions.append(answer(route.source, route.sourceCommandID, .trueReply,
                                  "lease \(leaseID) offer \(lease.offer) amount \(lease.amount) ttl \(lease.ttl)"))
            stats.leasesGranted += 1
            actions.append(.event(.lease(id: leaseID, offer: lease.offer, consumer: lease.consumerUser, amount: lease.amount)))
        } else {
            endLease(leaseID, reason: nil, now: now, actions: &actions)
            let text = reply.text.isEmpty ? Array("lease refused by provider".utf8) : reply.text
            actions.append(answer(route.source, route.sourceCommandID, .falseReply, text))
        }
    }

    /// `renew <lease> [ttl]`
    mutating func renew(_ words: [String], user: String, now: Timestamp) -> (ReplyKeyword, String) {
        guard let text = words.first, let leaseID = UInt64(text), var lease = leases[leaseID], lease.state == .active else {
            return (.falseReply, "no such lease '\(words.first ?? "")'")
        }
        guard lease.consumerUser == user else { return (.falseReply, "lease \(leaseID) is not yours") }
        if words.count > 1 {
            guard let ttl = UInt64(words[1]), ttl > 0, ttl <= Self.maximumLeaseTTL else {
                return (.falseReply, "invalid ttl '\(words[1])' [ 1...\(Self.maximumLeaseTTL) seconds ]")
            }
            lease.ttl = ttl
        }
        lease.expires = now.monotonic + lease.ttl * 1_000_000_000
        leases[leaseID] = lease
        return (.trueReply, "lease \(leaseID) renewed [ ttl \(lease.ttl) s ]")
    }

    /// `release <lease>`; also used by the mount's `rm leases/<id>`.
    public mutating func release(_ leaseID: UInt64, user: String, now: Timestamp) -> (Bool, String, [RouterAction]) {
        var actions: [RouterAction] = []
        guard let lease = leases[leaseID], lease.state == .active else { return (false, "no such lease '\(leaseID)'", []) }
        guard lease.consumerUser == user || configuration.access.isAdministrator(user) else {
            return (false, "lease \(leaseID) is not yours", [])
        }
        endLease(leaseID, reason: "released", now: now, actions: &actions)
        return (true, "lease \(leaseID) released", actions)
    }

    /// Ends a lease, returns its capacity and tells both parties (`lease-end <id> <reason>`,
    /// sent without an id: a notice, not a question).
    mutating func endLease(_ leaseID: UInt64, reason: String?, now: Timestamp, actions: inout [RouterAction]) {
        guard let lease = leases.removeValue(forKey: leaseID) else { return }
        if var offer = offers[lease.offer] {
            offer.committed -= min(offer.committed, lease.amount)
            offers[lease.offer] = offer
            if let reason, sessions[offer.provider] != nil {
                actions.append(notice(offer.provider, "lease-end", "\(leaseID) \(reason)"))
            }
        }
        guard let reason else { return }
        if sessions[lease.consumer] != nil {
            actions.append(notice(lease.consumer, "lease-end", "\(leaseID) \(reason)"))
        }
        actions.append(.event(.leaseEnded(id: leaseID, reason: reason)))
    }

    /// Removes an offer and ends its leases.
    mutating func withdraw(_ offerID: UInt64, reason: String, now: Timestamp, actions: inout [RouterAction]) {
        guard let offer = offers[offerID] else { return }
        if let account = memory.accounts[offer.providerUser] {
            memory.charge(-Offer.memoryCost(kind: offer.kind, attributes: offer.attributes), to: account)
            memory.release(account)
        }
        for lease in leases.values.filter({ $0.offer == offerID }).sorted(by: { $0.id < $1.id }) {
            endLease(lease.id, reason: "offer-\(reason)", now: now, actions: &actions)
        }
        offers[offerID] = nil
        actions.append(.event(.offerGone(id: offerID, reason: reason)))
    }

    /// A provider session is gone: its offers vanish and their leases end.
    mutating func providerLeft(_ id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        for offer in offers.values.filter({ $0.provider == id }).sorted(by: { $0.id < $1.id }) {
            withdraw(offer.id, reason: "provider-gone", now: now, actions: &actions)
        }
    }

    /// Leases past their end are released.
    mutating func expireLeases(now: Timestamp, actions: inout [RouterAction]) {
        for lease in leases.values.filter({ $0.state == .active && $0.expires <= now.monotonic }).sorted(by: { $0.id < $1.id }) {
            endLease(lease.id, reason: "expired", now: now, actions: &actions)
        }
    }

    func offersTable(kind: String?) -> String {
        var table = TextTable(headers: ["offer", "kind", "provider", "capacity", "available", "attributes"])
        for offer in allOffers where kind == nil || offer.kind == kind {
            table.append([String(offer.id), offer.kind, offer.providerUser, String(offer.capacity), String(offer.available),
                          offer.attributes.isEmpty ? "-" : offer.attributes.joined(separator: " ")])
        }
        for row in remoteOfferRows(kind: kind) { table.append(row) }
        return table.render()
    }

    func leasesTable(user: String, now: Timestamp) -> String {
        var table = TextTable(headers: ["lease", "offer", "consumer", "amount", "state", "expires in"])
        for lease in allLeases where lease.consumerUser == user || offers[lease.offer]?.providerUser == user {
            let left = lease.expires > now.monotonic ? lease.expires - now.monotonic : 0
            table.append([String(lease.id), String(lease.offer), lease.consumerUser, String(lease.amount),
                          lease.state.rawValue, TimeText.duration(nanoseconds: left)])
        }
        return table.render()
    }
}
