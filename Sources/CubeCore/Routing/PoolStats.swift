/// The figures `stats <name>` and the mount's `zenki/<name>/stats` show for a balanced zenka
/// (docs/pooling.md "Stats"): answered requests and errors, their rates over the last ten
/// seconds, latency percentiles over the last ``latencyWindow`` answers, and scale events.
struct PoolStats: Sendable {
    /// Answers kept for percentiles: enough for a stable p99, small enough to sort on demand.
    static let latencyWindow = 1024
    /// Per-second samples kept for rates (ten seconds, plus the one they are measured from).
    static let sampleWindow = 11

    /// Commands of the name finally answered (any keyword), and how many of them failed: a
    /// `FALSE` answer, a collapsed route or a route timeout.
    private(set) var answered: UInt64 = 0
    private(set) var errors: UInt64 = 0
    private var latencies: [UInt64] = []
    private var nextLatency = 0
    /// (monotonic ns, answered, errors) once a second, oldest first.
    private var samples: [(time: UInt64, answered: UInt64, errors: UInt64)] = []
    private(set) var scaleUps: UInt64 = 0
    private(set) var scaleDowns: UInt64 = 0
    /// The latest scale event, as the `events` file shows it.
    private(set) var lastScaleEvent: String?

    /// A command got its final answer after `latency` ns.
    mutating func answered(latency: UInt64, error: Bool) {
        answered &+= 1
        if error { errors &+= 1 }
        if latencies.count < Self.latencyWindow {
            latencies.append(latency)
        } else {
            latencies[nextLatency] = latency
            nextLatency = (nextLatency + 1) % Self.latencyWindow
        }
    }

    /// A command's route ended without an answer (collapse, timeout).
    mutating func failed() {
        answered &+= 1
        errors &+= 1
    }

    /// Records a scale event (`scale-up …`, `scale-down …`).
    mutating func scaled(up: Bool, event: String) {
        if up { scaleUps &+= 1 } else { scaleDowns &+= 1 }
        lastScaleEvent = event
    }

    /// Takes the once-a-second sample rates are computed from.
    mutating func sample(now: UInt64) {
        samples.append((now, answered, errors))
        if samples.count > Self.sampleWindow { samples.removeFirst(samples.count - Self.sampleWindow) }
    }

    /// Answers and errors per second since the oldest sample; nil before two samples.
    func rates(now: UInt64) -> (answered: Double, errors: Double)? {
        guard let oldest = samples.first, now > oldest.time, samples.count > 1 else { return nil }
        let seconds = Double(now - oldest.time) / 1e9
        return (Double(answered &- oldest.answered) / seconds, Double(errors &- oldest.errors) / seconds)
    }

    /// The `fraction` percentile (0.5, 0.99) of the recent latencies, nearest rank; nil when none.
    func percentile(_ fraction: Double) -> UInt64? {
        guard !latencies.isEmpty else { return nil }
        let sorted = latencies.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}
