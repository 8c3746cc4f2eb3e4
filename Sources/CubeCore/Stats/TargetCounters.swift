/// Work done for one user name as the target of routed commands (a zenka's requests and
/// latencies), for the metrics endpoint.
///
/// A class, held by each of the user's sessions: counting a request touches the session the
/// router already has in hand, with no look-up by name (docs/configuration.md "Monitoring").
final class TargetCounters: @unchecked Sendable {
    var requests: UInt64 = 0
    var latency = LatencyHistogram()
    /// Final answers, errors and recent latencies of routes this user's sessions were sent
    /// without balancing: `stats <name>` of a fan-out zenka (docs/pooling.md "Stats").
    var answers = PoolStats()
}
