/// Since when a zenka's load has been high, surging or low: the clocks both planners keep
/// (``ScalePlanner``, ``BurstPlanner``; docs/pooling.md "Scaling", "Bursts", "Surges"). A
/// clock starts the first time its condition is seen and stops the first time it is not, so
/// a condition must hold through every look in between to count.
struct LoadClock: Sendable {
    private(set) var highSince: UInt64?
    /// Since when the demand has been at twice the target or more.
    private(set) var surgeSince: UInt64?
    private(set) var lowSince: UInt64?

    /// Takes one look at the load.
    mutating func observe(high: Bool, surge: Bool, low: Bool, now: UInt64) {
        highSince = high ? (highSince ?? now) : nil
        surgeSince = surge ? (surgeSince ?? now) : nil
        lowSince = low ? (lowSince ?? now) : nil
    }

    /// Whether the load has been high for `upAfter`, or surging for `surgeAfter`.
    func wantsMore(upAfter: UInt64, surgeAfter: UInt64, now: UInt64) -> Bool {
        (highSince.map { now &- $0 >= upAfter } ?? false) || (surgeSince.map { now &- $0 >= surgeAfter } ?? false)
    }

    /// Whether the load has been low for `downAfter`.
    func wantsLess(downAfter: UInt64, now: UInt64) -> Bool {
        lowSince.map { now &- $0 >= downAfter } ?? false
    }

    /// Capacity was added: high load must hold again, from now, before more is added.
    mutating func grew() {
        highSince = nil
        surgeSince = nil
    }

    /// Capacity was taken away: low load must hold again before more is.
    mutating func shrank() { lowSince = nil }
}
