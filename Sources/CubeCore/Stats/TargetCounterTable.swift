/// Per user name, the commands routed to it and how fast they were answered (`stats`,
/// docs/protocol.md §8.4; `cube_zenka_requests_total` and the latency histograms,
/// docs/configuration.md "Monitoring"). The counters only grow: they are kept per name, across
/// sessions.
///
/// Bounded: user names come from the configuration, unix accounts and zenka keys, so
/// ``maximumNames`` is rarely reached; names beyond it share the entry `_other`.
package struct TargetCounterTable: Sendable {
    /// Names kept before new ones share `_other`.
    package static let maximumNames = 1024
    /// The entry shared by names past ``maximumNames`` (and by sessions without a user).
    package static let overflowName = "_other"

    private var byName: [String: TargetCounters] = [:]

    /// The counters of `name` (nil = no user), made on first use. The router keeps the
    /// object in the session, so this runs once per session, not per command.
    mutating func counters(for name: String?) -> TargetCounters {
        let name = name ?? Self.overflowName
        let key = byName[name] != nil || byName.count < Self.maximumNames ? name : Self.overflowName
        if let counters = byName[key] { return counters }
        let counters = TargetCounters()
        byName[key] = counters
        return counters
    }

    /// The counters of `name` if any command was routed to it.
    subscript(name: String) -> TargetCounters? { byName[name] }

    /// Number of names with counters (``overflowName`` included).
    var count: Int { byName.count }

    /// A copy of every name's counters, for observers.
    var snapshot: [String: TargetStats] {
        byName.mapValues { TargetStats(requests: $0.requests, latency: $0.latency) }
    }
}
