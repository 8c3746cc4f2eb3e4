/// A copy of one user's ``TargetCounters`` for observers.
public struct TargetStats: Equatable, Sendable {
    public var requests: UInt64
    public var latency: LatencyHistogram
}
