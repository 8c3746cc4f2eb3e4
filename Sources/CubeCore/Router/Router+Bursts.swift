// The consumer's half of bursts (docs/pooling.md "Bursts"): once a second the pool's
// ``BurstPlanner`` looks at a balanced zenka that is at `instances.max` here and, while it
// stays loaded, leases as many slots as the excess demand needs on other nodes' `compute`
// offers that run it (one lease per node); those nodes start the instances from their own
// configuration, which balanced dispatch reaches through their adverts.
// The router sends the planner's `acquire`/`renew`/`release` on routes of its own (purpose
// `.burst`) and feeds the answers back; nothing of this reaches a client.
extension Router {
    /// Plans `name`'s bursts and sends what the planner asks for (from ``scaleTick(now:actions:)``).
    mutating func burstTick(_ name: String, definition: ZenkaDefinition, now: Timestamp, actions: inout [RouterAction]) {
        guard inNetwork else { return }
        let leases = pools.bursts.leases(name)
        guard definition.bursts > 0 || !leases.isEmpty else { return }
        // A provider that is no longer reachable took its instance along (its routes collapsed).
        for node in Set(leases.map(\.node)).sorted() where network?.topology.distance(to: node) == nil {
            for ended in pools.bursts.nodeGone(node, now: now.monotonic) {
                actions.append(.event(.burst(name: ended.name, node: node, lease: ended.lease, ended: "provider-gone")))
            }
        }
        let taking = takingInstances(name)
        let instances = taking.count + pools.starting(name)
        let remote = pools.remoteOutstanding(name).values.reduce(0) { $0 + Int($1) }
        let demand = taking.reduce(0) { $0 + $1.targetRoutes.count } + remote + pools.waitingCount(name)
        // At its maximum here, or this node's own compute slots are all lent out.
        let noFreeSlot = market.offers.values.contains {
            ComputeLeases.lendsInstances(kind: $0.kind, attributes: $0.attributes) && $0.available == 0
        }
        // Read by the planner only for an acquire: the scan of every advert is not made ten
        // times a second for nothing (`planPools`).
        let topology = network?.topology
        let decided = pools.bursts.decide(name, rule: BurstRule(definition), instances: instances,
                                          atMaximum: instances >= definition.instances || noFreeSlot, demand: demand,
                                          candidates: Self.computeCandidates(name, in: topology), now: now.monotonic)
        for action in decided { sendBurst(action, for: name, now: now, actions: &actions) }
    }

    /// Reachable nodes of `topology` whose advertised `compute` offer runs `name` and has a slot free.
    static func computeCandidates(_ name: String, in topology: Topology?) -> [ComputeCandidate] {
        guard let topology else { return [] }
        var candidates: [ComputeCandidate] = []
        for node in topology.reachableNodes where node != topology.localNode {
            guard let distance = topology.distance(to: node) else { continue }
            for offer in topology.advert(of: node)?.offers ?? [] where offer.kind == ComputeLeases.kind {
                guard offer.available > 0, ComputeLeases.runs(offer.attributes).contains(name) else { continue }
                let load = offer.attributes.first { $0.hasPrefix("load=") }.flatMap { UInt32($0.dropFirst(5)) } ?? 0
                candidates.append(ComputeCandidate(node: node, offer: offer.id, available: offer.available, load: load,
                                                   distance: distance))
            }
        }
        return candidates
    }

    /// Sends `action` to its node on a route whose source and target are the link it leaves
    /// on: its answer comes back to ``burstAnswered(_:for:reply:now:actions:)``, and the route
    /// collapses with that link.
    mutating func sendBurst(_ action: BurstAction, for name: String, now: Timestamp, actions: inout [RouterAction]) {
        let ttl = BurstRule.ttlSeconds
        let (path, args) = switch action {
        case .acquire(let node, let offer, let instances): ("\(node).acquire", "\(offer) \(instances) \(ttl) run \(name)")
        case .renew(let node, let lease): ("\(node).renew", "\(lease) \(ttl)")
        case .release(let node, let lease): ("\(node).release", "\(lease)")
        }
        let command = Command(id: 1, path: Array(path.utf8), args: Array(args.utf8))
        guard let next = nextHop(towards: action.node), let link = linkSession(to: next),
              let slot = forward(command, remainder: HopCount.initial.prefixing(command.path), from: link, to: link,
                                 now: now, actions: &actions)
        else { return burstFailed(action, for: name, now: now, actions: &actions) }
        routes.setPurpose(.burst(name: name, action: action), of: slot)
    }

    /// The providing node answered a burst route.
    mutating func burstAnswered(_ action: BurstAction, for name: String, reply: Reply, now: Timestamp,
                                actions: inout [RouterAction]) {
        let text = String(decoding: reply.text, as: UTF8.self)
        switch action {
        case .acquire(let node, _, _):
            // `TRUE lease <id> offer <offer> amount <n> ttl <s>`
            let words = text.split(separator: " ")
            guard reply.keyword == .trueReply, words.count > 1, words[0] == "lease", let lease = UInt64(words[1]) else {
                return burstFailed(action, for: name, now: now, actions: &actions)
            }
            // Granted after the node was given up (it vanished and came back): not kept.
            guard pools.bursts.acquired(name, node: node, lease: lease, now: now.monotonic) else {
                return sendBurst(.release(node: node, lease: lease), for: name, now: now, actions: &actions)
            }
            pools.scaled(name, up: true, event: "burst \(name) \(node) \(lease)")
            actions.append(.event(.burst(name: name, node: node, lease: lease, ended: nil)))
        case .renew(let node, let lease):
            guard reply.keyword != .trueReply else { return }
            burstEnded(node: node, lease: lease, reason: "renewal-refused", actions: &actions)
        case .release(let node, let lease):
            burstEnded(node: node, lease: lease, reason: "released", actions: &actions)
        }
    }

    /// A burst route got no answer (no path, collapsed, timed out).
    mutating func burstFailed(_ action: BurstAction, for name: String, now: Timestamp, actions: inout [RouterAction]) {
        switch action {
        case .acquire(let node, _, _): pools.bursts.acquireFailed(name, node: node, now: now.monotonic)
        case .renew: return  // the next renewal or the provider's `lease-end` settles it
        case .release(let node, let lease): burstEnded(node: node, lease: lease, reason: "released", actions: &actions)
        }
    }

    /// Forgets the lease `lease` on `node` and reports `burst-end`, if it was a burst lease.
    mutating func burstEnded(node: String, lease: UInt64, reason: String, actions: inout [RouterAction]) {
        guard let name = pools.bursts.ended(node: node, lease: lease) else { return }
        pools.scaled(name, up: false, event: "burst-end \(name) \(node) \(lease) \(reason)")
        actions.append(.event(.burst(name: name, node: node, lease: lease, ended: reason)))
    }

    /// `lease-end <lease> <reason>` arrived from neighbour `node` (the provider's notice to the
    /// link that holds the lease there).
    mutating func leaseEndNotice(_ command: Command, from node: String, actions: inout [RouterAction]) {
        let words = String(decoding: command.args ?? [], as: UTF8.self).split(separator: " ")
        guard let first = words.first, let lease = UInt64(first) else { return }
        let reason = words.count > 1 ? String(words[1]) : "ended"
        burstEnded(node: node, lease: lease, reason: reason, actions: &actions)
        remoteLeaseEnded(node: node, lease: lease, reason: reason, actions: &actions)
    }
}
