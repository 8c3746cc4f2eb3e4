import CubeCore
import CubeFS
import CubeFUSE

// Topology changes: the `events` stream, end-of-file for ended sessions, and kernel cache
// invalidations (sent by the notifier's own thread, never from a request handler).
extension NetworkFileSystem {
    /// Called by the hub for every router event.
    package func observe(_ event: RouterEvent) {
        observe(contentsOf: [event])
    }

    /// Router events in the order they happened (a batch from ``EventInbox``).
    ///
    /// What each join or leave needs of the hub (which users have no session left) is asked
    /// once per batch, and the network entries are refreshed once per batch: 10,000 sessions
    /// closing at once used to take the hub's lock 20,000 times from here and build 10,000
    /// network snapshots, next to the event loops (docs/security.md "Resource limits").
    package func observe(contentsOf events: [RouterEvent]) {
        var departed = Set<String>()
        for event in events {
            if case .leave(let user, _) = event { departed.insert(user) }
        }
        // Asked before taking the mount's lock (never held while calling the hub).
        let gone = departed.isEmpty ? [] : hub.inspect { router in departed.filter { router.sessions(of: $0).isEmpty } }
        var refresh = false
        // The kernel's entries to drop, sent once: `zenki/<user>` once per user, not per session.
        var invalidations: [Invalidation] = []
        var named = Set<String>()
        for event in events {
            switch event {
            case .join(let user, let session):
                invalidations += sessionChanged(user: user, session: session, joined: true, nameGone: false,
                                                newName: named.insert(user).inserted)
            case .leave(let user, let session):
                invalidations += sessionChanged(user: user, session: session, joined: false, nameGone: gone.contains(user),
                                                newName: named.insert(user).inserted)
            case .offer, .offerGone, .lease, .leaseEnded, .scale, .burst:
                resourceChanged(event)
                continue
            case .link, .node: networkLine(event)
            default: continue
            }
            refresh = true
        }
        notifier.withLock { $0 }?.send(contentsOf: invalidations)
        // This node's zenki are listed under `nodes/<this node>/zenki/` too.
        if refresh { refreshNetworkEntries() }
    }

    /// A session joined or left: the `events` line and its ports; returns the kernel entries
    /// to drop (`zenki/<user>` only when `newName`: the first time in a batch).
    private func sessionChanged(user: String, session: SessionID, joined: Bool, nameGone: Bool,
                                newName: Bool) -> [Invalidation] {
        let line = Array("\(joined ? "join" : "leave") \(user) \(session)\n".utf8)
        let (wakeups, invalidations) = state.withLock { state -> (Wakeups, [Invalidation]) in
            var wakeups = state.appendEvent(line)
            if joined {
                state.portBack(.zenka(user))
            } else {
                state.portGone(.session(session))
                if nameGone { state.portGone(.zenka(user)) }
                for handle in state.handles(in: .session(session)) {
                    state.files[handle]?.ended = true
                    wakeups.merge(state.drain(handle))
                }
            }
            // Entry invalidation only: `notify_delete` on a directory whose children the kernel
            // still caches fails with ENOTEMPTY (and libfuse logs it); dropping the entry is
            // enough for the next lookup to see the change.
            var invalidations: [Invalidation] = [.entry(parent: state.nodes.ino(for: .directory(.sessions)),
                                                        name: String(session))]
            if newName { invalidations.append(.entry(parent: state.nodes.ino(for: .directory(.zenki)), name: user)) }
            return (wakeups, invalidations)
        }
        wakeups.perform()
        return invalidations
    }

    /// An offer or lease appeared or ended, or a zenka scaled (docs/pooling.md): an `events`
    /// line and, for offers and leases, fresh directory entries.
    private func resourceChanged(_ event: RouterEvent) {
        let line = Array("\(event)\n".utf8)
        let (wakeups, invalidations) = state.withLock { state -> (Wakeups, [Invalidation]) in
            let wakeups = state.appendEvent(line)
            let invalidations: [Invalidation] = switch event {
            case .offer(let id, _, _, _), .offerGone(let id, _):
                [.entry(parent: state.nodes.ino(for: .directory(.offers)), name: String(id))]
            case .lease(let id, _, _, _), .leaseEnded(let id, _):
                [.entry(parent: state.nodes.ino(for: .directory(.leases)), name: String(id))]
            default: []
            }
            return (wakeups, invalidations)
        }
        wakeups.perform()
        notifier.withLock { $0 }?.send(contentsOf: invalidations)
    }

    /// Ends every parked read (the mount is going away).
    package func shutdown() {
        let wakeups = state.withLock { state -> Wakeups in
            state.shuttingDown = true
            var wakeups = Wakeups()
            for handle in state.files.keys { wakeups.merge(state.drain(handle)) }
            return wakeups
        }
        wakeups.perform()
    }
}

extension Node {
    /// The port a file belongs to.
    var port: PortTarget? {
        if case .file(_, let port) = self { return port }
        return nil
    }
}
