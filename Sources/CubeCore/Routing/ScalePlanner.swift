/// Decides, once a second per balanced zenka (ten times a second while a command waits for
/// it, docs/pooling.md "Surges"), whether to add an instance or drain one
/// (docs/pooling.md "Scaling"). Pure: fed the instance count and load, it answers with a
/// decision and remembers since when the load has been high or low.
///
/// - Up: `outstanding + waiting >= (instances + starting) × target` for `up-after` (or twice
///   that for `surge-after`, when shorter: a step of load, docs/pooling.md "Surges"), and the
///   cooldown since the last change has passed, and `instances + starting < maximum`. With no
///   instance at all and commands waiting, at once.
/// - Down: `2 × (outstanding + waiting) <= (instances − 1) × target` (the others would stay
///   at half the target or less; for the last instance: nothing to do) for `down-after`,
///   cooldown passed, nothing starting, and `instances > minimum`.
struct ScalePlanner: Sendable {
    /// One zenka's memory.
    struct Memory: Sendable {
        var clock = LoadClock()
        var lastChange: UInt64?
        /// Instances asked for and not logged in yet, and since when the oldest was asked for.
        var starting = 0
        var startingSince: UInt64 = 0
    }

    /// What to do.
    enum Decision: Equatable, Sendable {
        case up
        case down
    }

    /// How long an asked-for instance may take to log in before it no longer counts as
    /// starting (the manager gives a zenka 15 s to log in, then restarts it).
    static let startGrace: UInt64 = 20_000_000_000

    private var memory: [String: Memory] = [:]

    /// - Parameters:
    ///   - instances: the zenka's local sessions that take commands (not draining).
    ///   - outstanding: their unanswered commands.
    ///   - waiting: commands waiting for a free instance.
    mutating func decide(_ name: String, rule: ScaleRule, instances: Int, outstanding: Int, waiting: Int,
                         now: UInt64) -> Decision? {
        var state = memory[name] ?? Memory()
        defer { memory[name] = state }
        if state.starting > 0, now &- state.startingSince >= Self.startGrace { state.starting = 0 }
        let capacity = instances + state.starting
        let demand = outstanding + waiting
        let high = demand >= max(capacity, 1) * rule.target || (capacity == 0 && waiting > 0)
        let low = 2 * demand <= max(instances - 1, 0) * rule.target && waiting == 0
        let surge = demand >= 2 * max(capacity, 1) * rule.target
        state.clock.observe(high: high, surge: surge, low: low, now: now)
        let cooled = state.lastChange.map { now &- $0 >= rule.cooldown } ?? true
        if capacity == 0, waiting > 0, rule.maximum > 0 {
            return start(&state, now: now)
        }
        if high, state.clock.wantsMore(upAfter: rule.upAfter, surgeAfter: rule.surgeAfter, now: now), cooled,
           capacity < rule.maximum {
            return start(&state, now: now)
        }
        if low, state.clock.wantsLess(downAfter: rule.downAfter, now: now), cooled, state.starting == 0,
           instances > rule.minimum {
            state.lastChange = now
            state.clock.shrank()
            return .down
        }
        return nil
    }

    private func start(_ state: inout Memory, now: UInt64) -> Decision {
        if state.starting == 0 { state.startingSince = now }
        state.starting += 1
        state.lastChange = now
        state.clock.grew()
        return .up
    }

    /// One instance of `name` was asked for outside a decision (in a drained one's place): it
    /// counts as starting, and the change as the last one for the cooldown.
    mutating func asked(_ name: String, now: UInt64) {
        var state = memory[name] ?? Memory()
        _ = start(&state, now: now)
        memory[name] = state
    }

    /// An instance of `name` logged in (an asked-for one, or any other: either way one fewer to wait for).
    mutating func joined(_ name: String) {
        guard let starting = memory[name]?.starting, starting > 0 else { return }
        memory[name]?.starting = starting - 1
    }

    /// Starting `name` failed: nothing is starting any more.
    mutating func startFailed(_ name: String) {
        memory[name]?.starting = 0
    }

    /// Instances asked for and not logged in yet.
    func starting(_ name: String) -> Int { memory[name]?.starting ?? 0 }
}
