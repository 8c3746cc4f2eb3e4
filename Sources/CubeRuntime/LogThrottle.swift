/// Bounds the log lines one origin can cause (docs/security.md "Logs"): a flood of failed
/// logins or refused commands from one uid or address writes at most ``perSecond`` lines a
/// second, then one line saying how many were suppressed.
///
/// Pure: the caller passes the monotonic time in nanoseconds.
package struct LogThrottle<Key: Hashable & Sendable & CustomStringConvertible>: Sendable {
    /// Lines per origin and second.
    package let perSecond: Int
    /// Origins tracked in one second; further origins share one entry (`other`), so a
    /// spray of addresses cannot grow this table.
    package static var maximumOrigins: Int { 4096 }
    private var windowStart: UInt64 = 0
    private var counts: [Key: Int] = [:]
    /// The entry that origins beyond ``maximumOrigins`` share.
    private let other: Key

    package init(perSecond: Int, other: Key) {
        self.perSecond = perSecond
        self.other = other
    }

    /// Whether a line for `origin` may be written now; when a new second starts, also the
    /// origins whose lines were suppressed in the last one, with how many.
    package mutating func admit(_ origin: Key, now: UInt64) -> (Bool, suppressed: [(origin: Key, count: Int)]) {
        let summaries = roll(now: now)
        let key = counts[origin] != nil || counts.count < Self.maximumOrigins ? origin : other
        let count = counts[key, default: 0] + 1
        counts[key] = count
        return (count <= perSecond, summaries)
    }

    /// Origins whose lines were suppressed in a second that has ended (call about once a second).
    package mutating func flush(now: UInt64) -> [(origin: Key, count: Int)] {
        roll(now: now)
    }

    private mutating func roll(now: UInt64) -> [(origin: Key, count: Int)] {
        guard now &- windowStart >= 1_000_000_000 else { return [] }
        let summaries = counts.filter { $0.value > perSecond }.map { (origin: $0.key, count: $0.value - perSecond) }
            .sorted { $0.origin.description < $1.origin.description }
        counts.removeAll(keepingCapacity: true)
        windowStart = now
        return summaries
    }
}

extension LogThrottle where Key == String {
    /// A throttle keyed by origin names; the overflow entry is `other`.
    package init(perSecond: Int) {
        self.init(perSecond: perSecond, other: "other")
    }
}
