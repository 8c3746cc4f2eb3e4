/// A copy of one user's ``TargetCounters`` for observers.
package struct TargetStats: Equatable, Sendable {
    package var requests: UInt64
    package var latency: LatencyHistogram
}
