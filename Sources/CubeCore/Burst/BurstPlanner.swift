/// Decides, once a second per balanced zenka (ten times a second while a command waits for
/// it, docs/pooling.md "Surges"), when this node leases compute on another node
/// and when it gives it back (docs/pooling.md "Bursts"). Pure: fed the zenka's load and the
/// candidates from the adverts, it answers with ``BurstAction``s and remembers its leases.
///
/// Capacity is the local instances, starting ones and the instances of leases not being
/// released. Both changes are sized in one decision, so a step of load is met at the pace of
/// one decision, not one per `up-after` + cooldown (docs/performance.md "Burst").
/// - Acquire: the zenka is at `instances.max` here and `demand ≥ capacity × target` has held
///   for `up-after` (or twice that demand for `surge-after`, when shorter), the cooldown has
///   passed and nothing is being asked for: as many instances as the excess needs, `⌈(demand − capacity × target) / target⌉` (at least 1), within
///   `bursts` leased instances and the candidates' free slots, spread one at a time over the
///   candidates not refused lately, best first (``ComputeCandidate/ordered(_:_:)``): one
///   `acquire` per node.
/// - Release: `2 × demand ≤ (capacity − 1) × target` has held for `down-after`, cooldown
///   passed, nothing being asked for: every active lease, newest first, whose instances the
///   demand does not need (`2 × demand ≤ (capacity left − its instances) × target`); when idle, all.
/// - Renew: an active lease at half its ttl.
struct BurstPlanner: Sendable {
    /// One zenka's memory.
    struct Memory: Sendable {
        var clock = LoadClock()
        var lastChange: UInt64?
        var leases: [BurstLease] = []
        /// Nodes that refused or failed lately, until when (monotonic ns).
        var avoid: [String: UInt64] = [:]
    }

    /// How long a node that refused a lease, failed or vanished is not asked again.
    static let avoidFor: UInt64 = 30_000_000_000

    private var memory: [String: Memory] = [:]

    /// - Parameters:
    ///   - instances: local instances that take commands plus those starting.
    ///   - atMaximum: whether the zenka is at `instances.max` here.
    ///   - demand: unanswered commands at its instances here and at other nodes, plus those waiting.
    ///   - candidates: nodes that could take a lease now; read only for an acquire (it scans
    ///     every node's advert, and the router plans ten times a second, ``Router/planPools(now:)``).
    mutating func decide(_ name: String, rule: BurstRule, instances: Int, atMaximum: Bool, demand: Int,
                         candidates: @autoclosure () -> [ComputeCandidate], now: UInt64) -> [BurstAction] {
        var state = memory[name] ?? Memory()
        // Forgotten when nothing is held, avoided, loaded or cooling down: a surge right after a
        // release still waits for the cooldown (a second reader's finding).
        defer {
            let cooling = state.lastChange.map { now &- $0 < rule.cooldown } ?? false
            memory[name] = state.leases.isEmpty && state.avoid.isEmpty && state.clock.highSince == nil && !cooling ? nil : state
        }
        state.avoid = state.avoid.filter { $0.value > now }
        var actions: [BurstAction] = []
        let ttl = BurstRule.ttlSeconds * 1_000_000_000
        for index in state.leases.indices where state.leases[index].state == .active {
            guard let lease = state.leases[index].lease, now &- state.leases[index].renewedAt >= ttl / 2 else { continue }
            state.leases[index].renewedAt = now
            actions.append(.renew(node: state.leases[index].node, lease: lease))
        }
        let held = state.leases.filter { $0.state != .releasing }.reduce(0) { $0 + $1.instances }
        let capacity = instances + held
        let high = atMaximum && demand >= max(capacity, 1) * rule.target
        let low = 2 * demand <= max(capacity - 1, 0) * rule.target
        let surge = high && demand >= 2 * max(capacity, 1) * rule.target
        state.clock.observe(high: high, surge: surge, low: low, now: now)
        let cooled = state.lastChange.map { now &- $0 >= rule.cooldown } ?? true
        let asking = state.leases.contains { $0.state == .requested }
        guard cooled, !asking else { return actions }
        if high, state.clock.wantsMore(upAfter: rule.upAfter, surgeAfter: rule.surgeAfter, now: now), held < rule.maximum {
            let excess = demand - capacity * rule.target
            let wanted = min(max((excess + rule.target - 1) / rule.target, 1), rule.maximum - held)
            let placed = Self.spread(wanted, over: candidates().filter { state.avoid[$0.node] == nil })
            guard !placed.isEmpty else { return actions }
            for (candidate, count) in placed {
                state.leases.append(BurstLease(node: candidate.node, offer: candidate.offer, instances: count, lease: nil,
                                               state: .requested, renewedAt: now))
                actions.append(.acquire(node: candidate.node, offer: candidate.offer, instances: count))
            }
            state.lastChange = now
            state.clock.grew()
        } else if low, state.clock.wantsLess(downAfter: rule.downAfter, now: now) {
            var left = capacity
            for index in state.leases.indices.reversed() where state.leases[index].state == .active {
                guard let lease = state.leases[index].lease,
                      2 * demand <= max(left - state.leases[index].instances, 0) * rule.target else { continue }
                left -= state.leases[index].instances
                state.leases[index].state = .releasing
                actions.append(.release(node: state.leases[index].node, lease: lease))
            }
            guard left < capacity else { return actions }
            state.lastChange = now
            state.clock.shrank()
        }
        return actions
    }

    /// `wanted` instances dealt one at a time over `candidates` best first, each taking no more
    /// than its free slots, one offer per node: the candidates chosen, in that order, with
    /// their counts (fewer than `wanted` when the slots run out).
    static func spread(_ wanted: Int, over candidates: [ComputeCandidate]) -> [(ComputeCandidate, Int)] {
        var seen: Set<String> = []
        let usable = candidates.filter { $0.available > 0 }.sorted(by: ComputeCandidate.ordered)
            .filter { seen.insert($0.node).inserted }
        var counts = Array(repeating: 0, count: usable.count)
        var left = wanted
        var progress = true
        while left > 0, progress {
            progress = false
            for index in usable.indices where left > 0 && UInt64(counts[index]) < usable[index].available {
                counts[index] += 1
                left -= 1
                progress = true
            }
        }
        return usable.indices.filter { counts[$0] > 0 }.map { (usable[$0], counts[$0]) }
    }

    /// `node` granted the lease asked for `name`.
    /// - Returns: false when nothing was being asked there any more (the node was given up
    ///   meanwhile): the caller releases the lease at once.
    @discardableResult
    mutating func acquired(_ name: String, node: String, lease: UInt64, now: UInt64) -> Bool {
        guard let index = memory[name]?.leases.firstIndex(where: { $0.node == node && $0.state == .requested }) else {
            return false
        }
        memory[name]?.leases[index].lease = lease
        memory[name]?.leases[index].state = .active
        memory[name]?.leases[index].renewedAt = now
        return true
    }

    /// `node` refused the lease asked for `name`, or the request was lost: it is not asked
    /// again for a while.
    mutating func acquireFailed(_ name: String, node: String, now: UInt64) {
        guard let index = memory[name]?.leases.firstIndex(where: { $0.node == node && $0.state == .requested }) else { return }
        memory[name]?.leases.remove(at: index)
        memory[name]?.avoid[node] = now &+ Self.avoidFor
    }

    /// The lease `lease` on `node` ended (released, expired, refused a renewal, its provider
    /// ended it): forgotten. - Returns: the zenka it was for, nil if unknown.
    mutating func ended(node: String, lease: UInt64) -> String? {
        for name in memory.keys.sorted() {
            guard let index = memory[name]?.leases.firstIndex(where: { $0.node == node && $0.lease == lease }) else { continue }
            memory[name]?.leases.remove(at: index)
            return name
        }
        return nil
    }

    /// `node` is no longer reachable: every lease there ends and it is not asked for a while.
    /// - Returns: the granted leases that ended, with their zenka.
    mutating func nodeGone(_ node: String, now: UInt64) -> [(name: String, lease: UInt64)] {
        var gone: [(name: String, lease: UInt64)] = []
        for name in memory.keys.sorted() {
            guard let leases = memory[name]?.leases, leases.contains(where: { $0.node == node }) else { continue }
            gone += leases.filter { $0.node == node }.compactMap { lease in lease.lease.map { (name, $0) } }
            memory[name]?.leases.removeAll { $0.node == node }
            memory[name]?.avoid[node] = now &+ Self.avoidFor
        }
        return gone
    }

    /// The leases held or asked for `name`, oldest first.
    func leases(_ name: String) -> [BurstLease] { memory[name]?.leases ?? [] }

    /// Nodes where any zenka holds or asked for a lease, sorted.
    var nodes: [String] { Set(memory.values.flatMap { $0.leases.map(\.node) }).sorted() }
}
