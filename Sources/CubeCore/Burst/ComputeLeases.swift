/// The provider's half of bursts (docs/pooling.md "Bursts"): which zenka each `compute` lease
/// held on this node runs and how many instances, so the router starts them when the lease is
/// granted and drains as many when it ends. Pure: the router feeds it and acts on its answers.
struct ComputeLeases: Sendable {
    /// The offer kind that lends slots for instances.
    static let kind = "compute"
    /// The attribute naming the zenki a `compute` offer runs (`runs=calc,echo`).
    static let runsKey = "runs"

    private var served: [UInt64: (zenka: String, instances: Int)] = [:]
    /// Per zenka: instances whose lease ended before they logged in; drained when they do.
    private var pendingDrains: [String: Int] = [:]

    /// The zenki a `compute` offer's `runs=` attribute lists.
    static func runs(_ attributes: [String]) -> [String] {
        let prefix = runsKey + "="
        guard let value = attributes.first(where: { $0.hasPrefix(prefix) })?.dropFirst(prefix.count) else { return [] }
        return value.split(separator: ",").map(String.init)
    }

    /// Whether an offer lends slots for instances: kind `compute` with a `runs=` attribute (the
    /// manager's, `node.compute.*`). A `compute` offer without `runs=` (a zenka selling its own
    /// compute, docs/market.md) is leased like any other offer, through its provider.
    static func lendsInstances(kind: String, attributes: [String]) -> Bool {
        kind == Self.kind && attributes.contains { $0.hasPrefix(runsKey + "=") }
    }

    /// Why `offer` cannot be leased to run `zenka` here (nil: it can): an offer that lends
    /// instances needs `run <zenka>` naming one of its `runs` that this node runs balanced;
    /// any other offer takes none.
    static func refusal(offer: Offer, run zenka: String?, zenki: [String: ZenkaDefinition]) -> String? {
        guard lendsInstances(kind: offer.kind, attributes: offer.attributes) else {
            return zenka == nil ? nil : "offer \(offer.id) is not a compute offer [ 'run <zenka>' is for compute offers ]"
        }
        guard let zenka else { return "usage: acquire <compute offer> <instances> [ttl] run <zenka>" }
        guard runs(offer.attributes).contains(zenka), zenki[zenka]?.dispatch == .balanced else {
            return "offer \(offer.id) does not run '\(zenka)'"
        }
        return nil
    }

    /// Instances this node runs for others' leases of `zenka`.
    func serving(_ zenka: String) -> Int {
        served.values.reduce(0) { $0 + ($1.zenka == zenka ? $1.instances : 0) }
    }

    /// Whether `lease` is a compute lease served here.
    func serves(_ lease: UInt64) -> Bool { served[lease] != nil }

    /// `lease` was granted: `instances` instances of `zenka` are to start.
    mutating func granted(_ lease: UInt64, zenka: String, instances: Int) {
        served[lease] = (zenka, instances)
    }

    /// `lease` ended: the zenka and how many of its instances to drain; nil if not served here.
    mutating func ended(_ lease: UInt64) -> (zenka: String, instances: Int)? {
        served.removeValue(forKey: lease)
    }

    /// `count` instances of `zenka` could not be drained yet (not logged in): drain them on login.
    /// At most `limit` wait (`node.compute.slots`: no more instances run for leases at once), so
    /// leases acquired and released in a loop cannot build up drains that would take instances
    /// started for other reasons.
    mutating func drainLater(_ zenka: String, count: Int, limit: Int) {
        guard count > 0 else { return }
        pendingDrains[zenka] = min((pendingDrains[zenka] ?? 0) + count, max(limit, 0))
    }

    /// An instance of `zenka` logged in: whether it is to be drained at once (its lease ended).
    mutating func joinedMustDrain(_ zenka: String) -> Bool {
        guard let count = pendingDrains[zenka], count > 0 else { return false }
        pendingDrains[zenka] = count > 1 ? count - 1 : nil
        return true
    }
}
