/// Route latencies in fixed buckets, kept by the router for the metrics endpoint
/// (docs/configuration.md "Monitoring").
///
/// Recording is a short scan and two additions, cheap enough for every request. Each bucket
/// counts the latencies in (previous bound, bound] and keeps their sum, so an exporter can
/// hand them on to a histogram with the same bounds without losing the exact total.
package struct LatencyHistogram: Equatable, Sendable {
    /// Upper bounds in nanoseconds: 100 µs to 120 s (the default route timeout).
    package static let bounds: [UInt64] = [
        100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
        30_000_000_000, 60_000_000_000, 120_000_000_000,
    ]

    /// Latencies per bucket (not cumulative); the last entry counts those above every bound.
    package private(set) var counts = [UInt64](repeating: 0, count: bounds.count + 1)
    /// Sum of the latencies per bucket, in nanoseconds.
    package private(set) var sums = [UInt64](repeating: 0, count: bounds.count + 1)

    package init() {}

    /// Latencies recorded.
    package var count: UInt64 { counts.reduce(0, &+) }

    /// Sum of all latencies in nanoseconds.
    package var sum: UInt64 { sums.reduce(0, &+) }

    /// Records one latency.
    package mutating func record(_ nanoseconds: UInt64) {
        var index = 0
        while index < Self.bounds.count && nanoseconds > Self.bounds[index] { index += 1 }
        counts[index] &+= 1
        sums[index] &+= nanoseconds
    }
}
