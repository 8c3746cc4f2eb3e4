// On-demand zenki (docs/protocol.md §6): commands for a registered zenka that is not connected
// wait in a queue while the manager starts it, then drain to its first session.
extension Router {
    /// Registers `name` as an on-demand zenka (as `ondemand-zenka add` does).
    package mutating func registerOnDemand(_ name: String) {
        onDemand.register(name)
    }

    /// Unregisters the on-demand zenka `name` (as `ondemand-zenka del` does; the manager after a
    /// reload): commands queued for it are answered `FALSE client not present`.
    package mutating func unregisterOnDemand(_ name: String, now: Timestamp) -> [RouterAction] {
        guard let queue = onDemand.unregister(name) else { return [] }
        unqueued(queue)
        return queue.map { answer($0.source, $0.command.id, .falseReply, Wire.clientNotPresent) }
    }

    /// Registers a one-time zenka key for `name` (as `session-key` does, without the name check).
    package mutating func registerZenkaKey(name: String, key: [UInt8], now: Timestamp) {
        let expires = now.monotonic + UInt64(configuration.zenkaKeyLifetimeSeconds) * 1_000_000_000
        zenkaKeys.register(name: name, digest: hasher.digest(key), expires: expires)
    }

    /// Starting an on-demand zenka failed (or nobody can start it): every queued command
    /// is answered `FALSE client not present` under its own id.
    package mutating func zenkaStartFailed(_ name: String, now: Timestamp) -> [RouterAction] {
        pools.startFailed(name)
        guard let queue = onDemand.takeQueue(name) else {
            // A scaling zenka with no instance: what waits for it fails with the start.
            guard !users.isPresent(name) else { return [] }
            let waiting = pools.takeWaiting(name)
            unqueued(waiting)
            return waiting.map { answer($0.source, $0.command.id, .falseReply, Wire.clientNotPresent) }
        }
        // Commands waiting for a balanced zenka with no instance at all fail with it.
        let waiting = !users.isPresent(name) ? pools.takeWaiting(name) : []
        unqueued(queue + waiting)
        return (queue + waiting).map { answer($0.source, $0.command.id, .falseReply, Wire.clientNotPresent) }
    }

    /// Sends everything queued for `user` to its sessions now that one has logged in.
    mutating func drainOnDemandQueue(for user: String, now: Timestamp, actions: inout [RouterAction]) {
        guard let queue = onDemand.takeQueue(user) else { return }
        unqueued(queue)
        for queued in queue {
            guard let source = sessions.handle(queued.source) else { continue }
            if let refusal = route(queued.command, queued.path, from: source, now: now, actions: &actions) {
                actions.append(answer(queued.source, queued.command.id, .falseReply, refusal.text))
            }
        }
    }

    /// Returns the memory of commands taken out of a queue to their senders' shares.
    mutating func unqueued(_ commands: [QueuedCommand]) {
        for queued in commands {
            guard let account = queued.account else { continue }
            memory.charge(-queued.cost, to: account)
            memory.release(account)
        }
    }

    /// Queued commands older than the route timeout are answered `FALSE route timeout`.
    mutating func expireQueuedCommands(now: Timestamp, actions: inout [RouterAction]) {
        let timeout = UInt64(configuration.routeTimeoutSeconds) * 1_000_000_000
        guard timeout > 0 else { return }
        let expired = onDemand.expire(timeout: timeout, now: now.monotonic)
        unqueued(expired)
        for queued in expired {
            actions.append(answer(queued.source, queued.command.id, .falseReply, Wire.routeTimeout))
        }
    }
}
