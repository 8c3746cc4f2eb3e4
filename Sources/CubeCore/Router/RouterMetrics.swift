/// What the router knows for a metrics scrape: its counters and the gauges of the moment
/// (docs/configuration.md "Monitoring").
package struct RouterMetrics: Equatable, Sendable {
    /// Counters since start.
    package var stats: RouterStats
    /// Logged-in sessions by login method (`unix`, `pwd`, `zenka`, `c25519`, `link`, `fs`, ...).
    package var sessionsByMethod: [String: Int]
    /// Sessions that have not logged in yet.
    package var sessionsWaiting: Int
    package var routesOpen: Int
    /// Requests and latencies per target user name.
    package var targets: [String: TargetStats]
    /// Sessions per zenka name (method `zenka`); on-demand zenki not running count 0.
    package var zenkaInstances: [String: Int]
    /// Links up, and remote nodes a path leads to.
    package var links: Int
    package var nodesReachable: Int
    package var offers: Int
    package var leases: Int
    /// Bytes users make the router hold (against `limits.memory`).
    package var memoryHeld: Int
}

extension Router {
    /// A snapshot for the metrics endpoint; walks the sessions once (scrape time, not per request).
    package var metrics: RouterMetrics {
        var byMethod: [String: Int] = [:]
        var waiting = 0
        var instances: [String: Int] = [:]
        for name in onDemand.names { instances[name] = 0 }
        for session in sessions.sorted() {
            guard let method = session.authLabel else {
                waiting += 1
                continue
            }
            byMethod[method, default: 0] += 1
            if session.kind == .zenka, let user = session.user { instances[user, default: 0] += 1 }
        }
        let links = network?.links.values.reduce(0) { $0 + $1.count } ?? 0
        let reachable = network?.topology.reachableNodes.filter { $0 != configuration.nodeName }.count ?? 0
        return RouterMetrics(stats: stats, sessionsByMethod: byMethod, sessionsWaiting: waiting, routesOpen: routes.count,
                             targets: targetCounters.snapshot,
                             zenkaInstances: instances, links: links, nodesReachable: reachable, offers: market.offers.count,
                             leases: market.leases.count, memoryHeld: memory.held)
    }
}
