// The provider's half of bursts (docs/pooling.md "Bursts"): a `compute` offer (made by the
// manager, `node.compute.*`) is leased with `acquire <offer> <n> [ttl] run <zenka>`; this
// node grants it at once, asks the manager for `n` instances of the zenka from its own
// configuration, and drains as many when the lease ends.
extension Router {
    /// Grants a `compute` lease that was just reserved and orders its instances.
    mutating func serveCompute(_ lease: Lease, zenka: String, command: Command, from id: SessionID, now: Timestamp,
                               actions: inout [RouterAction]) {
        guard let granted = market.grant(lease.id, now: now.monotonic, wall: now.wall) else { return }
        let instances = Int(clamping: granted.amount)
        pools.compute.granted(granted.id, zenka: zenka, instances: instances)
        leaseGranted(granted, to: id, commandID: command.id, now: now, actions: &actions)
        for _ in 0..<instances { actions.append(.scale(.serve(zenka))) }
    }

    /// A lease ended: when it was a compute lease, its instances are drained (those not logged
    /// in yet are drained when they do) and stopped once they have answered what they hold.
    mutating func computeLeaseEnded(_ leaseID: UInt64, actions: inout [RouterAction]) {
        guard let (zenka, count) = pools.compute.ended(leaseID) else { return }
        var left = count
        while left > 0, drainOne(zenka, forLease: true, actions: &actions) != nil { left -= 1 }
        // As many as the manager may have started and keep waiting: twice the slots.
        pools.compute.drainLater(zenka, count: left, limit: 2 * configuration.compute.effectiveSlots)
    }

    /// Drains the least loaded instance of `name` that takes commands (the newest of equals)
    /// and orders its stop if it holds nothing. `forLease`: because a compute lease ended (the
    /// manager then has one served process fewer), not for idleness.
    /// - Parameter among: only these sessions (a reload's surplus: the manager's own processes).
    /// - Returns: the session drained; nil when there is none.
    @discardableResult
    mutating func drainOne(_ name: String, forLease: Bool, among: Set<SessionID>? = nil,
                           actions: inout [RouterAction]) -> SessionID? {
        // An instance the manager stops anyway (`v7.restart`) is the one a lease's end takes
        // first: ordered to stop, it does not come back (the manager swaps the served mark
        // when it was the node's own), and the instances that take commands keep running.
        if forLease, among == nil, let stopping = pools.takeStoppingForLease(name) {
            actions.append(.scale(.stop(name, stopping, leaseEnded: true)))
            return stopping
        }
        let taking = takingInstances(name).filter { among?.contains($0.id) ?? true }
        guard let victim = taking.enumerated().min(by: { lhs, rhs in
            (lhs.element.targetRoutes.count, -lhs.offset) < (rhs.element.targetRoutes.count, -rhs.offset)
        })?.element else { return nil }
        pools.drain(victim.id, of: name, forLease: forLease)
        if victim.targetRoutes.isEmpty, pools.takeDrained(name, isIdle: { $0 == victim.id }) == [victim.id] {
            actions.append(.scale(.stop(name, victim.id, leaseEnded: forLease)))
        }
        return victim.id
    }

    /// Local sessions of `name` that take commands (logged in, not links, not draining), in login order.
    func takingInstances(_ name: String) -> [Session] {
        users.ids(of: name).compactMap { id in
            guard let session = sessions[id], !session.isLink, !pools.isDraining(id, of: name) else { return nil }
            return session
        }
    }

    /// The `load=` attribute a `compute` offer carries in the advert: commands outstanding
    /// at this node's instances of the zenki it runs, rounded like `load:` lines.
    func computeLoad(_ offer: Offer) -> String {
        let outstanding = ComputeLeases.runs(offer.attributes).reduce(0) { sum, name in
            sum + takingInstances(name).reduce(0) { $0 + $1.targetRoutes.count }
        }
        return "load=\(Self.loadBucket(outstanding))"
    }
}
