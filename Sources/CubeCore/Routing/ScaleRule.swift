/// When a balanced zenka grows and shrinks (`zenka.<name>.instances.*` and `scale.*`,
/// docs/pooling.md "Scaling"). Times in monotonic nanoseconds.
struct ScaleRule: Equatable, Sendable {
    /// Instances kept even when idle (the manager starts them); 0 = started on demand.
    let minimum: Int
    /// Instances at most, on this node.
    let maximum: Int
    /// Outstanding (and waiting) requests per instance that count as "loaded".
    let target: Int
    /// How long the load must stay at or past the target before an instance is added.
    let upAfter: UInt64
    /// How long the demand must stay at twice the target or more before an instance is added,
    /// when shorter than ``upAfter`` (docs/pooling.md "Surges").
    let surgeAfter: UInt64
    /// How long the load must stay low before an instance is drained and stopped.
    let downAfter: UInt64
    /// The least time between two changes of the instance count.
    let cooldown: UInt64

    init(_ definition: ZenkaDefinition) {
        minimum = definition.minimumInstances
        maximum = definition.instances
        target = definition.scaleTarget
        upAfter = Self.nanoseconds(definition.scaleUpAfter)
        surgeAfter = Self.nanoseconds(definition.scaleSurgeAfter)
        downAfter = Self.nanoseconds(definition.scaleDownAfter)
        cooldown = Self.nanoseconds(definition.scaleCooldown)
    }

    /// - Parameter surgeAfter: nil for `upAfter` (a surge waits as long as any load).
    init(minimum: Int, maximum: Int, target: Int, upAfter: UInt64, surgeAfter: UInt64? = nil, downAfter: UInt64,
         cooldown: UInt64) {
        self.minimum = minimum
        self.maximum = maximum
        self.target = target
        self.upAfter = upAfter
        self.surgeAfter = surgeAfter ?? upAfter
        self.downAfter = downAfter
        self.cooldown = cooldown
    }

    /// Whether the count can change at all (a fixed count is the manager's business alone).
    var scales: Bool { minimum < maximum || minimum == 0 }

    private static func nanoseconds(_ seconds: Double) -> UInt64 { UInt64(max(seconds, 0) * 1e9) }
}
