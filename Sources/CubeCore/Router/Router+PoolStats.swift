// `stats <zenka>` and the mount's `zenki/<name>/stats` (docs/pooling.md "Stats"): one
// zenka's instances here and elsewhere, their load, and the pool's figures.
extension Router {
    /// `name value` lines, a blank line, then one row per instance; nil when `name` is neither
    /// configured here nor connected.
    package func zenkaStats(_ name: String, now: Timestamp) -> String? {
        let definition = configuration.zenki[name]
        let ids = users.ids(of: name)
        guard definition != nil || !ids.isEmpty else { return nil }
        // A fan-out zenka's figures are its instances' answers, kept with its target counters.
        let pool = definition?.dispatch == .balanced ? pools.stats(name) : targetCounters[name]?.answers ?? PoolStats()
        let draining = pools.draining(name)
        var table = TextTable(headers: ["instance", "node", "outstanding", "state"])
        var outstanding = 0
        for id in ids {
            guard let session = sessions[id], !session.isLink else { continue }
            outstanding += session.targetRoutes.count
            table.append([String(id), configuration.nodeName, String(session.targetRoutes.count),
                          draining.contains(id) ? "draining" : "taking"])
        }
        var remote = 0
        // Compute leases held elsewhere for this zenka (docs/pooling.md "Bursts"), by node.
        var bursts: [String: [String]] = [:]
        for lease in pools.bursts.leases(name) {
            bursts[lease.node, default: []].append(lease.lease.map { "burst lease \($0)" } ?? "burst requested")
        }
        for advert in network?.topology.adverts ?? [] where advert.origin != configuration.nodeName {
            // An unreachable node's advert lingers until it expires: its instances are gone.
            guard let load = advert.loads.first(where: { $0.name == name }),
                  network?.topology.distance(to: advert.origin) != nil else { continue }
            remote += Int(load.instances)
            let sent = pools.remoteOutstanding(name)[advert.origin] ?? 0
            let leases = bursts.removeValue(forKey: advert.origin).map { ", " + $0.joined(separator: ", ") } ?? ""
            table.append(["-", advert.origin, String(max(load.outstanding, sent)), "\(load.instances) advertised" + leases])
        }
        for (node, leases) in bursts.sorted(by: { $0.key < $1.key }) {
            table.append(["-", node, "0", "0 advertised, " + leases.joined(separator: ", ")])
        }
        var text = ""
        func line(_ key: String, _ value: String) { text += "\(key) \(value)\n" }
        line("zenka", name)
        line("dispatch", (definition?.dispatch ?? .all).rawValue)
        line("instances", String(ids.count))
        line("remote-instances", String(remote))
        line("outstanding", String(outstanding))
        line("queued", String(pools.waitingCount(name)))
        line("answered", String(pool.answered))
        line("errors", String(pool.errors))
        let rates = pool.rates(now: now.monotonic)
        line("answered-per-second", rates.map { Self.decimal($0.answered, places: 2) } ?? "-")
        line("errors-per-second", rates.map { Self.decimal($0.errors, places: 2) } ?? "-")
        line("p50-ms", pool.percentile(0.5).map { Self.decimal(Double($0) / 1e6, places: 3) } ?? "-")
        line("p99-ms", pool.percentile(0.99).map { Self.decimal(Double($0) / 1e6, places: 3) } ?? "-")
        line("scale-ups", String(pool.scaleUps))
        line("scale-downs", String(pool.scaleDowns))
        line("last-scale-event", pool.lastScaleEvent ?? "-")
        return text + "\n" + table.render()
    }

    /// A route ended without an answer (collapse, timeout): an error in the figures of its
    /// balanced name, or of its target's name.
    /// - Parameter target: the target session's counters, when it has already left the table.
    mutating func routeFailed(_ route: Route, target: TargetCounters? = nil) {
        if case .pooled(let name, _) = route.purpose {
            pools.failed(name)
        } else {
            (target ?? sessions[route.targetSession]?.counters)?.answers.failed()
        }
    }

    /// Once a second: the fan-out zenki's figures take their rate sample (balanced ones are
    /// sampled by the ``PoolTable``).
    mutating func sampleFanOutFigures(now: Timestamp) {
        for (name, definition) in configuration.zenki where definition.dispatch == .all {
            targetCounters[name]?.answers.sample(now: now.monotonic)
        }
    }

    /// `value` with exactly `places` decimals (no Foundation in the core).
    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int64((max(value, 0) * scale).rounded())
        let unit = Int64(scale)
        let fraction = String(scaled % unit)
        guard places > 0 else { return String(scaled) }
        return "\(scaled / unit)." + String(repeating: "0", count: max(0, places - fraction.count)) + fraction
    }
}
