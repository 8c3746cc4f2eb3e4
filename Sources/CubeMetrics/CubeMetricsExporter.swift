import CubeCore
import CoreMetrics
import Prometheus
import Synchronization

/// Turns the router's counters into Prometheus text through swift-metrics, with the
/// swift-prometheus backend (docs/configuration.md "Monitoring").
///
/// The router stays pure and counts its own work (``RouterStats``); nothing here runs per
/// request. Each scrape takes one ``RouterMetrics`` snapshot, adds what changed since the
/// last scrape to the swift-metrics counters, sets the gauges, and feeds the latency buckets'
/// new entries into swift-metrics timers whose buckets are the router's own, so bucket counts
/// and sums come out exact. The metric names are listed in docs/configuration.md.
package final class CubeMetricsExporter: Sendable {
    /// What the router knows now (`Hub.inspect { $0.metrics }`).
    private let source: @Sendable () -> RouterMetrics
    /// Mount operations by name, set once the mount is up.
    private let mountOperations = Mutex<(@Sendable () -> [String: UInt64])?>(nil)
    /// The event loops' busy-polling: spins by how they ended, pauses, turns not spun.
    private let busyPoll = Mutex<(@Sendable () -> BusyPollCounts)?>(nil)
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let state = Mutex(ExportState())

    package init(source: @escaping @Sendable () -> RouterMetrics) {
        self.source = source
        var factory = PrometheusMetricsFactory(registry: registry)
        let buckets = LatencyHistogram.bounds.map { Duration.nanoseconds(Int64($0)) }
        factory.durationHistogramBuckets = ["cube_route_latency_seconds": buckets, "cube_zenka_latency_seconds": buckets]
        self.factory = factory
    }

    /// Adds the mount's operation counts to every later scrape.
    package func attachMount(_ operations: @escaping @Sendable () -> [String: UInt64]) {
        mountOperations.withLock { $0 = operations }
    }

    /// The event loops' busy-polling counts: spins by how they ended (`input`, `budget`),
    /// pauses for preemption, turns not spun because their adaptive window was zero.
    package typealias BusyPollCounts = (ended: [String: UInt64], pauses: UInt64, skipped: UInt64)

    /// Adds the event loops' busy-polling counts to every later scrape.
    package func attachBusyPoll(_ counts: @escaping @Sendable () -> BusyPollCounts) {
        busyPoll.withLock { $0 = counts }
    }

    /// The Prometheus text exposition (format 0.0.4) of the cube's metrics now.
    package func exposition() -> String {
        let mount = mountOperations.withLock { $0 }
        let spins = busyPoll.withLock { $0 }?()
        // Snapshots are taken and applied under one lock: two scrapes at once must not apply
        // an older snapshot after a newer one (the deltas would count twice). The hub never
        // calls back into the exporter, so holding this lock while it takes its own is safe.
        return state.withLock { state in
            update(&state, source(), mount: mount?() ?? [:])
            if let spins {
                for (ended, value) in spins.ended {
                    state.count("cube_busy_poll_spins_total", [("ended", ended)], value, factory: factory)
                }
                state.count("cube_busy_poll_pauses_total", [], spins.pauses, factory: factory)
                state.count("cube_busy_poll_skipped_total", [], spins.skipped, factory: factory)
            }
            return registry.emitToString()
        }
    }

    /// At most 1024 names, the rest summed as `_other`, like `cube_zenka_requests_total`
    /// (``TargetCounterTable``): zenka names are chosen by whoever logs in.
    static func boundedNames(_ counts: [String: Int]) -> [(String, Int)] {
        let limit = TargetCounterTable.maximumNames
        guard counts.count > limit else { return counts.map { ($0.key, $0.value) } }
        let sorted = counts.sorted { $0.key < $1.key }
        let rest = sorted.dropFirst(limit).reduce(0) { $0 + $1.value }
        return sorted.prefix(limit).map { ($0.key, $0.value) } + [(TargetCounterTable.overflowName, rest)]
    }

    private func update(_ state: inout ExportState, _ metrics: RouterMetrics, mount: [String: UInt64]) {
        let stats = metrics.stats
        func count(_ name: String, _ value: UInt64, _ labels: [(String, String)] = []) {
            state.count(name, labels, value, factory: factory)
        }
        func gauge(_ name: String, _ value: Int, _ labels: [(String, String)] = []) {
            state.gauge(name, labels, value, factory: factory)
        }
        count("cube_logins_total", stats.logins)
        count("cube_login_failures_total", stats.failedLogins)
        count("cube_commands_routed_total", stats.commandsRouted)
        count("cube_commands_local_total", stats.localCommands)
        count("cube_commands_refused_total", stats.refusedCommands)
        for keyword in ReplyKeyword.allCases {
            count("cube_replies_total", stats.repliesByKeyword[keyword.index], [("keyword", keyword.rawValue)])
        }
        count("cube_routes_collapsed_total", stats.routesCollapsed)
        count("cube_routes_timed_out_total", stats.routesTimedOut)
        count("cube_adverts_received_total", stats.advertsReceived)
        count("cube_adverts_published_total", stats.advertsPublished)
        count("cube_adverts_refused_full_total", stats.advertsRefusedFull)
        count("cube_offers_made_total", stats.offersMade)
        count("cube_leases_granted_total", stats.leasesGranted)
        state.latency("cube_route_latency_seconds", [], stats.routeLatency, factory: factory)
        for (name, target) in metrics.targets {
            count("cube_zenka_requests_total", target.requests, [("zenka", name)])
            state.latency("cube_zenka_latency_seconds", [("zenka", name)], target.latency, factory: factory)
        }
        for (operation, value) in mount { count("cube_mount_operations_total", value, [("operation", operation)]) }

        // Gauges: a login method seen once stays, at 0 when it has no session now; a zenka name
        // is there while it has sessions or is configured on demand, 1024 names at most.
        state.resetGauges(prefixes: ["cube_sessions", "cube_zenka_instances"])
        for (method, sessions) in metrics.sessionsByMethod { gauge("cube_sessions", sessions, [("method", method)]) }
        for (name, instances) in Self.boundedNames(metrics.zenkaInstances) {
            gauge("cube_zenka_instances", instances, [("zenka", name)])
        }
        state.flushResetGauges(removing: ["cube_zenka_instances"])
        gauge("cube_sessions_waiting", metrics.sessionsWaiting)
        gauge("cube_routes_open", metrics.routesOpen)
        gauge("cube_links", metrics.links)
        gauge("cube_nodes_reachable", metrics.nodesReachable)
        gauge("cube_offers", metrics.offers)
        gauge("cube_leases", metrics.leases)
        gauge("cube_memory_held_bytes", metrics.memoryHeld)
    }
}
