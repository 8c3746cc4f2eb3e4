// Instances that follow demand (docs/pooling.md "Scaling"): once a second, and ten times a
// second while a command waits ("Surges"), the `PoolTable`'s planners look at each scaling
// balanced zenka's load and the router asks the manager for one more instance or leases
// some on other nodes, or drains one (no new commands) and orders its stop once it has
// answered everything it was sent.
extension Router {
    /// Plans every scaling zenka and orders the stop of drained instances (from ``tick(now:)``).
    mutating func scaleTick(now: Timestamp, actions: inout [RouterAction]) {
        guard !configuration.zenki.isEmpty else { return }
        sampleFanOutFigures(now: now)
        for (name, definition) in configuration.zenki.sorted(by: { $0.key < $1.key }) where definition.dispatch == .balanced {
            planPool(name, definition: definition, now: now, actions: &actions)
            let drained = pools.takeDrained(name) { sessions[$0]?.targetRoutes.isEmpty ?? false }
            for id in drained {
                let leaseEnded = pools.drainedForLease(id, of: name)
                actions.append(.scale(.stop(name, id, leaseEnded: leaseEnded)))
                if !leaseEnded { replaceBelowMinimum(name, definition: definition, now: now, actions: &actions) }
            }
        }
    }

    /// Asks the planners about every balanced zenka that scales or bursts and carries out
    /// their decisions, and publishes a change of their instances here. Called by the cube at
    /// once and then ten times a second while ``poolsWantPlanning`` (``RouterAction/planPools``), besides
    /// ``tick(now:)``: the planners count time themselves, and a step of load that
    /// `scale.surge-after` answers in 0.2 s would otherwise wait for the next second, then the
    /// new instances for the next advert (docs/pooling.md "Surges"). Once no command waits
    /// any more, ``poolsWantPlanning`` turns false and the calls stop: an idle cube is not
    /// woken ten times a second.
    package mutating func planPools(now: Timestamp) -> [RouterAction] {
        var actions: [RouterAction] = []
        // Between ticks only the names with waiting commands that planning can help: a surge
        // shows there first; a name that neither scales nor bursts waits for its instances.
        let waiting = pools.namesWaiting.filter { configuration.zenki[$0].map(plansBetweenTicks) ?? false }
        for name in waiting {
            guard let definition = configuration.zenki[name], definition.dispatch == .balanced else { continue }
            planPool(name, definition: definition, now: now, actions: &actions)
        }
        let unpublished = publishInstanceChanges(now: now, actions: &actions)
        // Waiting commands keep the calls going, and a change of instances not published yet.
        if waiting.isEmpty && !unpublished { pools.planningAsked = false }
        return actions
    }

    /// Whether planning `definition`'s pool between ticks can change anything: it scales, or
    /// bursts onto other nodes of a network.
    func plansBetweenTicks(_ definition: ZenkaDefinition) -> Bool {
        ScaleRule(definition).scales || inNetwork && definition.bursts > 0
    }

    /// Asks the cube, once, to call ``planPools(now:)`` ten times a second (``RouterAction/planPools``).
    mutating func askForPlanning(actions: inout [RouterAction]) {
        guard !pools.planningAsked else { return }
        pools.planningAsked = true
        actions.append(.planPools)
    }

    /// Whether ``planPools(now:)`` should be called again in 100 ms.
    package var poolsWantPlanning: Bool { pools.planningAsked }

    /// The scaling planner, if `name` scales, and the burst planner.
    private mutating func planPool(_ name: String, definition: ZenkaDefinition, now: Timestamp,
                                   actions: inout [RouterAction]) {
        if ScaleRule(definition).scales { planScaling(name, definition: definition, now: now, actions: &actions) }
        burstTick(name, definition: definition, now: now, actions: &actions)
    }

    /// An idle drain is decided while the instances are above `instances.min`; a reload that
    /// raised it before the drained instance's stop leaves the zenka below it, and the
    /// planner adds instances only for load. The router counts every instance that takes
    /// commands (the manager's, served ones, any run by hand), so it asks for one more in the
    /// drained one's place here (a second reader's finding; the manager counting its own
    /// processes instead could loop against instances it does not know).
    private mutating func replaceBelowMinimum(_ name: String, definition: ZenkaDefinition, now: Timestamp,
                                              actions: inout [RouterAction]) {
        let rule = ScaleRule(definition)
        let taking = takingInstances(name).count
        guard rule.scales, definition.start == .always, taking + pools.starting(name) < rule.minimum + pools.compute.serving(name)
        else { return }
        pools.asked(name, now: now.monotonic)
        orderStart(name, taking: taking, actions: &actions)
    }

    /// Tells of one more instance of `name` (`scale-up <name> <n>`, n counting those asked
    /// for) and asks the manager for it.
    private mutating func orderStart(_ name: String, taking: Int, actions: inout [RouterAction]) {
        let count = taking + pools.starting(name)
        pools.scaled(name, up: true, event: "scale-up \(name) \(count)")
        actions.append(.event(.scale(name: name, up: true, instances: count)))
        actions.append(.scale(.start(name)))
    }

    /// A reload lowered `instances.max` (docs/configuration.md "Reload"): of `candidates`, the
    /// manager's own logged-in processes, those that still take commands are brought down to
    /// `maximum` minus `starting` (its own not logged in yet), the least loaded drained first;
    /// each stops once it has answered what it holds, as an idle drain does. Those already
    /// draining (an idle drain, an earlier reload's) are not counted: they are on their way out
    /// (a second reader's finding: counted again, a second reload drained healthy instances
    /// and could leave none taking commands).
    /// - Returns: the sessions drained; `startsToStop`, how many of the `starting` are beyond
    ///   the maximum as well (the manager stops those, which hold nothing).
    package mutating func drainSurplus(_ name: String, maximum: Int, among candidates: Set<SessionID>, starting: Int)
        -> (drained: [SessionID], startsToStop: Int, actions: [RouterAction]) {
        let taking = takingInstances(name).filter { candidates.contains($0.id) }.count
        let excess = max(taking + starting - maximum, 0)
        let startsToStop = min(excess, starting)
        var actions: [RouterAction] = []
        var drained: [SessionID] = []
        for _ in 0..<(excess - startsToStop) {
            guard let victim = drainOne(name, forLease: false, among: candidates, actions: &actions) else { break }
            drained.append(victim)
        }
        guard !drained.isEmpty else { return ([], startsToStop, actions) }
        let left = takingInstances(name).count
        pools.scaled(name, up: false, event: "scale-down \(name) \(left)")
        actions.insert(.event(.scale(name: name, up: false, instances: left)), at: 0)
        return (drained, startsToStop, actions)
    }

    /// The manager stops `session`, an instance of `name`, for its own reasons (`v7.stop`,
    /// `v7.restart`, missed heartbeats, a reload's new process keys): from now on it takes no
    /// new command, as a drained one, and may still answer what it holds before it exits. Its
    /// stop is the manager's, not ordered again. Before, balanced dispatch kept sending it
    /// commands until it was gone, and those were lost (`route collapsed`) while the other
    /// instances were idle (a hostile tester's finding).
    /// - Parameter comingBack: it is restarted (`v7.restart`, missed heartbeats): a lease's end
    ///   may take it rather than a running instance. One stopped for good (`v7.stop`) never
    ///   is: taken, the manager would swap its mark with a running served instance and undo
    ///   the operator's stop (a second reader's finding).
    package mutating func instanceStopping(_ session: SessionID, of name: String, comingBack: Bool) {
        // A session whose input ended has left the pools already (`sessionLeft`).
        guard let stopping = sessions[session], !stopping.withdrawn, !pools.isDraining(session, of: name) else { return }
        pools.managerStops(session, of: name, comingBack: comingBack)
    }

    /// Asks the planner about `name` and carries out its decision.
    mutating func planScaling(_ name: String, definition: ZenkaDefinition, now: Timestamp, actions: inout [RouterAction]) {
        let taking = takingInstances(name)
        let outstanding = taking.reduce(0) { $0 + $1.targetRoutes.count }
        // Instances served for other nodes' compute leases are theirs: never drained for idleness.
        let served = pools.compute.serving(name)
        let own = ScaleRule(definition)
        let rule = ScaleRule(minimum: own.minimum + served, maximum: own.maximum + served, target: own.target,
                             upAfter: own.upAfter, surgeAfter: own.surgeAfter, downAfter: own.downAfter, cooldown: own.cooldown)
        switch pools.decide(name, rule: rule, instances: taking.count, outstanding: outstanding, now: now.monotonic) {
        case .up?:
            orderStart(name, taking: taking.count, actions: &actions)
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
