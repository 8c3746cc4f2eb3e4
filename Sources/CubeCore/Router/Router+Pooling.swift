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

    /// Sends `command` to the instance of `name` the policy picks, or queues it: when every
    /// instance holds `scale.target` requests, or when older commands wait (they go first).
    /// - Returns: why it was refused, or nil.
    mutating func routeBalanced(_ command: Command, _ path: CommandPath, name: String, definition: ZenkaDefinition,
                                from id: SessionID, now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        let behind = pools.hasWaiting(name)
        if !behind {
            switch placeBalanced(command, path, name: name, definition: definition, from: id, queued: nil, now: now,
                                 actions: &actions) {
            case .placed: return nil
            case .refused(let refusal): return refusal
            case .noRoom: break
            }
        }
        if let refusal = queueForPool(command, path, name: name, definition: definition, from: id, now: now,
                                      actions: &actions) {
            return refusal
        }
        // Queued behind older commands: an instance may be free for the oldest now.
        if behind { drainPool(name, now: now, actions: &actions) }
        return nil
    }

    /// Where ``placeBalanced(_:_:name:definition:from:queued:now:actions:)`` left a command.
    enum Placement {
        case placed
        /// Every instance holds its limit: the command waits (nothing was changed).
        case noRoom
        case refused(Refusal)
    }

    /// Sends `command` to the instance the policy picks. `queued` is the command's place in
    /// the name's queue, if it waited: its memory returns to the sender's share once it is
    /// sent, and its route is dated from when it was queued.
    mutating func placeBalanced(_ command: Command, _ path: CommandPath, name: String, definition: ZenkaDefinition,
                                from id: SessionID, queued: QueuedCommand?, now: Timestamp,
                                actions: inout [RouterAction]) -> Placement {
        let candidates = poolCandidates(name, definition: definition, command: command, from: id)
        guard let policy = definition.dispatch.policy(target: UInt32(definition.scaleTarget)),
              let index = pools.select(name, policy, candidates).first
        else { return .noRoom }
        if let queued { unqueued([queued]) }
        if let refusal = routeRefusal(1, for: command, from: id) { return .refused(Refusal(.limit, refusal)) }
        let slot: RouteSlot?
        switch candidates[index].place {
        case .local(let target):
            slot = forward(command, remainder: path.remainder(of: command.path), from: id, to: target, now: now, actions: &actions)
            if let slot { routes.setPurpose(.pooled(name: name, node: nil), of: slot) }
        case .remote(let node):
            guard let next = nextHop(towards: node), let link = linkSession(to: next) else {
                return .refused(Refusal(.missing, Wire.clientNotPresent))
            }
            // `<node>.<path>`, exactly what a client addressing that node would have sent.
            var forwarded = command
            forwarded.path = Array(node.utf8) + [UInt8(ascii: ".")] + command.path
            let remainder = HopCount.initial.prefixing(forwarded.path)
            slot = forward(forwarded, remainder: remainder, from: id, to: link, now: now, actions: &actions)
            if let slot {
                routes.setPurpose(.pooled(name: name, node: node), of: slot)
                pools.remoteSent(name, to: node)
            }
        }
        if let slot, let queued { routes.backdate(slot, to: queued.queued) }
        return .placed
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
            let mine = AdvertLoad.perInstance(sent, load.instances)
            candidates.append(PoolCandidate(place: .remote(advert.origin), outstanding: max(load.perInstance, mine),
                                            distance: distance, held: mine))
        }
        return candidates
    }

    /// Holds a command no instance can take, within the name's queue bounds (`queue`,
    /// `queue.bytes`) and the sender's memory share; asks the manager for an instance when the
    /// name has none at all and starts on demand.
    mutating func queueForPool(_ command: Command, _ path: CommandPath, name: String, definition: ZenkaDefinition,
                               from id: SessionID, now: Timestamp, actions: inout [RouterAction]) -> Refusal? {
        let account = sessions[id]?.account
        let cost = Route.memoryCost(pathLength: command.path.count) + command.byteCount
        if let account, let refusal = memory.refusal(cost, to: account) { return Refusal(.limit, refusal.text) }
        let queued = QueuedCommand(source: id, command: command, path: path, queued: now.monotonic, account: account,
                                   cost: cost)
        var refusal = pools.enqueue(queued, for: name, countLimit: definition.queueLimit, byteLimit: definition.queueBytes)
        if case .count? = refusal, makeRoom(name, for: queued, limit: definition.queueLimit, actions: &actions) {
            refusal = pools.enqueue(queued, for: name, countLimit: definition.queueLimit, byteLimit: definition.queueBytes)
        }
        switch refusal {
        case nil: break
        case .count(let limit)?:
            pools.failed(name)
            return Refusal(.limit, "queue full [ \(limit) commands wait for a free instance of \(name) ]")
        case .bytes(let limit)?:
            pools.failed(name)
            return Refusal(.limit, "queue full [ \(limit) bytes wait for a free instance of \(name) ]")
        }
        if let account { memory.charge(cost, to: account) }
        // Every instance is at the target: from now on the pools are planned between ticks,
        // so a surge is met within `scale.surge-after` (docs/pooling.md "Surges").
        if plansBetweenTicks(definition) { askForPlanning(actions: &actions) }
        // No instance at all: a scaling zenka starts one at once, an on-demand one as always.
        if !users.isPresent(name), let definition = configuration.zenki[name], ScaleRule(definition).scales {
            planScaling(name, definition: definition, now: now, actions: &actions)
        } else if !users.isPresent(name), onDemand.markStarting(name) {
            actions.append(.startZenka(name))
        }
        return nil
    }

    /// A full queue of `name` makes room for a user holding less than half of it: the newest
    /// command of the user holding the most, if that is more than half, is answered `queue
    /// full` instead. Before, one user could keep the queue full and every other user's
    /// command got `queue full` or timed out (a hostile second reader); a lone user still has
    /// the whole queue.
    /// - Returns: whether a place was freed.
    mutating func makeRoom(_ name: String, for queued: QueuedCommand, limit: Int, actions: inout [RouterAction]) -> Bool {
        let half = limit / 2
        guard pools.waitingCount(name, user: queued.sharer) < half,
              let hog = pools.largestSharer(name, other: queued.sharer), hog.count > half,
              let dropped = pools.takeNewest(name, of: hog.user)
        else { return false }
        unqueued([dropped])
        pools.failed(name)
        actions.append(answer(dropped.source, dropped.command.id, .falseReply,
                              "queue full [ dropped for another user: one user holds at most half of the \(limit) "
                                  + "commands that wait for \(name) while others wait ]"))
        return true
    }

    /// Hands what waits for `name` to instances with room, its senders in turn, each its oldest
    /// first (``PoolTable/takeNext(_:)``), until none has room;
    /// the rest keeps its place and its age. Called when an answer frees an instance, an
    /// instance joins here or on another node, and once a second.
    mutating func drainPool(_ name: String, now: Timestamp, actions: inout [RouterAction]) {
        guard pools.hasWaiting(name), let definition = balancedDefinition(name) else { return }
        let timeout = UInt64(configuration.routeTimeoutSeconds) * 1_000_000_000
        while let queued = pools.takeNext(name) {
            guard sessions[queued.source] != nil else {
                unqueued([queued])
                continue
            }
            // Its whole route timeout spent waiting (the tick answers such commands once a
            // second): sent now it would run and its answer be lost to the timeout, and a
            // sender that retries would run it twice (a second reader's finding).
            if timeout > 0, now.monotonic &- queued.queued >= timeout {
                unqueued([queued])
                actions.append(waitedTooLong(queued))
                continue
            }
            switch placeBalanced(queued.command, queued.path, name: name, definition: definition, from: queued.source,
                                 queued: queued, now: now, actions: &actions) {
            case .placed:
                continue
            case .refused(let refusal):
                pools.failed(name)
                actions.append(answer(queued.source, queued.command.id, .falseReply, refusal.text))
            case .noRoom:
                pools.putBack(queued, for: name)
                return
            }
        }
    }

    /// After a reload: commands waiting for a name that is no longer balanced here would wait
    /// for nothing (``drainPool(_:now:actions:)`` only serves balanced names), charged to their
    /// senders until `timeouts.route`, for ever with 0. Their memory returns first; then, oldest
    /// first, a zenka no longer configured answers them `FALSE client not present` at once (as
    /// an on-demand one's queue is, docs/configuration.md "Reload"), and one that now fans out
    /// (`dispatch = all`) routes them as if they arrived now: each instance gets a copy, as a
    /// command sent now would (docs/pooling.md "Queue"). Access was checked when they arrived.
    mutating func reloadedPools(now: Timestamp, actions: inout [RouterAction]) {
        for name in pools.namesWaiting where balancedDefinition(name) == nil {
            let waiting = pools.takeWaiting(name)
            unqueued(waiting)
            let configured = configuration.zenki[name] != nil
            for queued in waiting where sessions[queued.source] != nil {
                let refusal = configured ? route(queued.command, queued.path, from: queued.source, now: now,
                                                 actions: &actions)?.text : Wire.clientNotPresent
                if let refusal { actions.append(answer(queued.source, queued.command.id, .falseReply, refusal)) }
            }
        }
    }

    /// Answers `FALSE route timeout [ … ]` for commands that waited a whole route timeout.
    mutating func expirePoolQueues(now: Timestamp, actions: inout [RouterAction]) {
        let timeout = UInt64(configuration.routeTimeoutSeconds) * 1_000_000_000
        guard timeout > 0 else { return }
        let expired = pools.takeExpired(now: now.monotonic, timeout: timeout)
        unqueued(expired)
        for queued in expired { actions.append(waitedTooLong(queued)) }
    }

    /// The answer to a command that waited its whole route timeout for a free instance,
    /// counted as a failure of its name.
    private mutating func waitedTooLong(_ queued: QueuedCommand) -> RouterAction {
        if case .name(let name) = queued.path.target { pools.failed(name) }
        return answer(queued.source, queued.command.id, .falseReply, Wire.routeTimeout + " [ no instance was free ]")
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
