// Instances that follow demand (docs/pooling.md "Scaling"): once a second the `PoolTable`'s
// planner looks at each scaling balanced zenka's load and the router asks the manager for
// one more instance, or drains one (no new commands) and orders its stop once it has
// answered everything it was sent.
extension Router {
    /// Plans every scaling zenka and orders the stop of drained instances (from ``tick(now:)``).
    mutating func scaleTick(now: Timestamp, actions: inout [RouterAction]) {
        guard !configuration.zenki.isEmpty else { return }
        sampleFanOutFigures(now: now)
        for (name, definition) in configuration.zenki.sorted(by: { $0.key < $1.key }) where definition.dispatch == .balanced {
            if ScaleRule(definition).scales { planScaling(name, definition: definition, now: now, actions: &actions) }
            burstTick(name, definition: definition, now: now, actions: &actions)
            let drained = pools.takeDrained(name) { sessions[$0]?.targetRoutes.isEmpty ?? false }
            for id in drained {
                actions.append(.scale(.stop(name, id, leaseEnded: pools.drainedForLease(id, of: name))))
            }
        }
    }

    /// Asks the planner about `name` and carries out its decision.
    mutating func planScaling(_ name: String, definition: ZenkaDefinition, now: Timestamp, actions: inout [RouterAction]) {
        let taking = takingInstances(name)
        let outstanding = taking.reduce(0) { $0 + $1.targetRoutes.count }
        // Instances served for other nodes' compute leases are theirs: never drained for idleness.
        let served = pools.compute.serving(name)
        let own = ScaleRule(definition)
        let rule = ScaleRule(minimum: own.minimum + served, maximum: own.maximum + served, target: own.target,
                             upAfter: own.upAfter, downAfter: own.downAfter, cooldown: own.cooldown)
        switch pools.decide(name, rule: rule, instances: taking.count, outstanding: outstanding, now: now.monotonic) {
        case .up?:
            let count = taking.count + pools.starting(name)
            pools.scaled(name, up: true, event: "scale-up \(name) \(count)")
            actions.append(.event(.scale(name: name, up: true, instances: count)))
            actions.append(.scale(.start(name)))
        case .down?:
            // The least loaded, the newest of equals: it has the least to finish.
            guard !taking.isEmpty else { return }
            pools.scaled(name, up: false, event: "scale-down \(name) \(taking.count - 1)")
            actions.append(.event(.scale(name: name, up: false, instances: taking.count - 1)))
            drainOne(name, forLease: false, actions: &actions)
        case nil:
            return
        }
    }
}
