// Balanced dispatch (docs/pooling.md): a command for a balanced zenka goes to the one
// instance its `RoutingPolicy` picks among local sessions and remote nodes' advertised
// instances, or waits in the name's bounded queue. The state lives in the `PoolTable`;
// this file only feeds it and turns its answers into sends.
extension Router {
    /// The definition of `name` when its commands are balanced here; nil for fan-out (one
    /// emptiness check per routed command on nodes without zenki).
    func balancedDefinition(_ name: String) -> ZenkaDefinition? {
        guard !configuration.zenki.isEmpty, let definition = configuration.zenki[name],
              definition.dispatch == .balanced else { return nil }
        return definition
    }

    /// Sends `command` to the instance of `name` the policy picks, or queues it.
    /// - Returns: why it was refused, or nil.
    mutating func routeBalanced(_ command: Command, _ path: CommandPath, name: String, definition: ZenkaDefinition,
                                from id: SessionID, now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        let candidates = poolCandidates(name, definition: definition, command: command, from: id)
        guard let policy = definition.dispatch.policy(target: UInt32(definition.scaleTarget)),
              let index = pools.select(name, policy, candidates).first
        else {
            return queueForPool(command, path, name: name, limit: definition.queueLimit, from: id, now: now,
                                actions: &actions)
        }
        if let refusal = routeRefusal(1, for: command, from: id) { return Refusal(.limit, refusal) }
        switch candidates[index].place {
        case .local(let target):
            guard let slot = forward(command, remainder: path.remainder, from: id, to: target, now: now, actions: &actions)
            else { return nil }
            routes.setPurpose(.pooled(name: name, node: nil), of: slot)
        case .remote(let node):
            guard let next = nextHop(towards: node), let link = linkSession(to: next) else {
                return Refusal(.missing, Wire.clientNotPresent)
            }
            // `<node>.<path>`, exactly what a client addressing that node would have sent.
            var forwarded = command
            forwarded.path = Array(node.utf8) + [UInt8(ascii: ".")] + command.path
            let remainder = HopCount.initial.prefixing(forwarded.path)
            guard let slot = forward(forwarded, remainder: remainder, from: id, to: link, now: now, actions: &actions)
            else { return nil }
            routes.setPurpose(.pooled(name: name, node: node), of: slot)
            pools.remoteSent(name, to: node)
        }
        return nil
    }

    /// Where a command for `name` could go now: local sessions that take commands (not
    /// draining, not past the busy bound, docs/security.md "Resource limits"), in login order;
    /// then, only when every local one is at the scaling target and the command did not come
    /// over a link (one hop of balancing, never a second), reachable nodes advertising
    /// instances, by name.
    func poolCandidates(_ name: String, definition: ZenkaDefinition, command: Command,
                        from id: SessionID) -> [PoolCandidate] {
        let busy = configuration.limits.outputQueue / 2
        var candidates: [PoolCandidate] = []
        for target in users.ids(of: name) {
            guard let session = sessions[target], !session.isLink, !pools.isDraining(target, of: name),
                  session.unansweredBytes + command.byteCount <= busy else { continue }
            candidates.append(PoolCandidate(place: .local(target), outstanding: UInt32(clamping: session.targetRoutes.count)))
        }
        let target = UInt32(definition.scaleTarget)
        guard inNetwork, sessions[id]?.isLink == false,
              candidates.allSatisfy({ $0.outstanding >= target }) else { return candidates }
        for advert in network?.topology.adverts ?? [] where advert.origin != configuration.nodeName {
            guard let load = advert.loads.first(where: { $0.name == name }),
                  let distance = network?.topology.distance(to: advert.origin) else { continue }
            // The advert may be a second old: what this node sent since is a floor.
            let sent = pools.remoteOutstanding(name, at: advert.origin)
            let mine = (sent + load.instances - 1) / load.instances
            candidates.append(PoolCandidate(place: .remote(advert.origin), outstanding: max(load.perInstance, mine),
                                            distance: distance))
        }
        return candidates
    }

    /// Holds a command no instance can take, within the name's queue bound and the sender's
    /// memory share; asks the manager for an instance when the name has none at all and starts
    /// on demand.
    mutating func queueForPool(_ command: Command, _ path: CommandPath, name: String, limit: Int, from id: SessionID,
                               now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        let account = sessions[id]?.account
        let cost = Route.memoryCost(pathLength: command.path.count) + command.byteCount
        if let account, let refusal = memory.refusal(cost, to: account) { return Refusal(.limit, refusal.text) }
        let queued = QueuedCommand(source: id, command: command, path: path, queued: now.monotonic, account: account,
                                   cost: cost)
        if case .full(let limit)? = pools.enqueue(queued, for: name, limit: limit) {
            pools.failed(name)
            return Refusal(.limit, "queue full [ \(limit) commands wait for a free instance of \(name) ]")
        }
        if let account { memory.charge(cost, to: account) }
        sessions[id]?.hasQueued = true
        // No instance at all: a scaling zenka starts one at once, an on-demand one as always.
        if !users.isPresent(name), let definition = configuration.zenki[name], ScaleRule(definition).scales {
            planScaling(name, definition: definition, now: now, actions: &actions)
        } else if !users.isPresent(name), onDemand.markStarting(name) {
            actions.append(.startZenka(name))
        }
        return nil
    }

    /// Routes what waits for `name` while instances take it, oldest first; the rest keeps
    /// its place and its age.
    mutating func drainPool(_ name: String, now: Timestamp, actions: inout [RouterAction]) {
        guard pools.hasWaiting(name), let definition = balancedDefinition(name) else { return }
        var waiting = pools.takeWaiting(name)[...]
        while let queued = waiting.first {
            guard sessions[queued.source] != nil else {
                unqueued([waiting.removeFirst()])
                continue
            }
            guard !poolCandidates(name, definition: definition, command: queued.command, from: queued.source).isEmpty
            else { break }
            unqueued([waiting.removeFirst()])
            if let refusal = routeBalanced(queued.command, queued.path, name: name, definition: definition,
                                           from: queued.source, now: now, actions: &actions) {
                actions.append(answer(queued.source, queued.command.id, .falseReply, refusal.text))
            }
        }
        pools.putBack(Array(waiting), for: name)
    }

    /// Answers `FALSE route timeout [ … ]` for commands that waited a whole route timeout.
    mutating func expirePoolQueues(now: Timestamp, actions: inout [RouterAction]) {
        let timeout = UInt64(configuration.routeTimeoutSeconds) * 1_000_000_000
        guard timeout > 0 else { return }
        let expired = pools.takeExpired(now: now.monotonic, timeout: timeout)
        unqueued(expired)
        for queued in expired {
            if case .name(let name) = queued.path.target { pools.failed(name) }
            let text = Wire.routeTimeout + " [ no instance was free ]"
            actions.append(answer(queued.source, queued.command.id, .falseReply, text))
        }
    }

    /// A pooled route ended (answered, timed out or collapsed): the count of commands in flight
    /// to another node goes down.
    mutating func pooledRouteEnded(name: String, node: String?) {
        if let node { pools.remoteEnded(name, at: node) }
    }

    /// The load of this node's balanced zenki, for its advert. Outstanding counts are rounded
    /// down to 0, 1, 2, 3 or a power of two, so a busy zenka does not make the node
    /// re-advertise every second (docs/pooling.md "1,000 nodes").
    var advertisedLoads: [AdvertLoad] {
        guard !configuration.zenki.isEmpty else { return [] }
        var loads: [AdvertLoad] = []
        for (name, definition) in configuration.zenki where definition.dispatch == .balanced {
            var instances: UInt32 = 0
            var outstanding = 0
            for id in users.ids(of: name) {
                guard let session = sessions[id], !session.isLink, !pools.isDraining(id, of: name) else { continue }
                instances += 1
                outstanding += session.targetRoutes.count
            }
            guard instances > 0 else { continue }
            loads.append(AdvertLoad(name: name, instances: instances, outstanding: Self.loadBucket(outstanding)))
        }
        loads.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return Array(loads.prefix(LinkStateAdvert.maximumZenki))
    }

    /// `count` rounded down to 0…3 or a power of two.
    static func loadBucket(_ count: Int) -> UInt32 {
        let value = UInt32(clamping: count)
        return value < 4 ? value : 1 << (31 - UInt32(value.leadingZeroBitCount))
    }
}
