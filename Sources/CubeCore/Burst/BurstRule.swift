/// When a balanced zenka bursts onto other nodes (docs/pooling.md "Bursts"): the scaling
/// figures of its definition, its `instances.max` and `bursts`. Times in monotonic nanoseconds.
struct BurstRule: Equatable, Sendable {
    /// Outstanding (and waiting) requests per instance that count as "loaded".
    let target: Int
    /// Load sustained this long at `instances.max` before a lease is acquired.
    let upAfter: UInt64
    /// Demand at twice the target or more sustained this long at `instances.max` before a
    /// lease is acquired, when shorter than ``upAfter`` (docs/pooling.md "Surges").
    let surgeAfter: UInt64
    /// Idleness sustained this long before a lease is released.
    let downAfter: UInt64
    /// The least time between two changes (an acquire or a release).
    let cooldown: UInt64
    /// Compute leases held at once at most (`zenka.<name>.bursts`).
    let maximum: Int

    /// The ttl asked for a compute lease, in seconds; it is renewed at half of it, so a lease
    /// whose consumer node died ends by itself (then after its provider's `leases.grace`).
    static let ttlSeconds: UInt64 = 600

    init(_ definition: ZenkaDefinition) {
        let scale = ScaleRule(definition)
        self.init(target: scale.target, upAfter: scale.upAfter, surgeAfter: scale.surgeAfter, downAfter: scale.downAfter,
                  cooldown: scale.cooldown, maximum: definition.bursts)
    }

    /// - Parameter surgeAfter: nil for `upAfter` (a surge waits as long as any load).
    init(target: Int, upAfter: UInt64, surgeAfter: UInt64? = nil, downAfter: UInt64, cooldown: UInt64, maximum: Int) {
        self.target = max(target, 1)
        self.upAfter = upAfter
        self.surgeAfter = surgeAfter ?? upAfter
        self.downAfter = downAfter
        self.cooldown = cooldown
        self.maximum = maximum
    }
}
