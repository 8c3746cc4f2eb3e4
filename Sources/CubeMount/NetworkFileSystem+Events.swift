import CubeCore
import CubeFS
import CubeFUSE

// Topology changes: the `events` stream, end-of-file for ended sessions, and kernel cache
// invalidations (sent by the notifier's own thread, never from a request handler).
extension NetworkFileSystem {
    /// Called by the hub for every router event.
    public func observe(_ event: RouterEvent) {
        let (user, session, joined): (String, SessionID, Bool)
        switch event {
        case .join(let name, let id): (user, session, joined) = (name, id, true)
        case .leave(let name, let id): (user, session, joined) = (name, id, false)
        case .offer, .offerGone, .lease, .leaseEnded, .scale, .burst: return resourceChanged(event)
        case .link, .node: return networkChanged(event)
        default: return
        }
        let line = Array("\(joined ? "join" : "leave") \(user) \(session)\n".utf8)
        // Asked before taking the mount's lock (never held while calling the hub).
        let nameGone = !joined && hub.inspect { $0.sessions(of: user).isEmpty }
        let (wakeups, invalidations) = state.withLock { state -> (Wakeups, [Invalidation]) in
            var wakeups = state.appendEvent(line)
            if joined {
                state.portBack(.zenka(user))
            } else {
                state.portGone(.session(session))
                if nameGone { state.portGone(.zenka(user)) }
                for (handle, file) in state.files where file.node.port == .session(session) {
                    state.files[handle]?.ended = true
                    wakeups.merge(state.drain(handle))
                }
            }
            let zenki = state.nodes.ino(for: .directory(.zenki))
            let sessions = state.nodes.ino(for: .directory(.sessions))
            // Entry invalidation only: `notify_delete` on a directory whose children the kernel
            // still caches fails with ENOTEMPTY (and libfuse logs it); dropping the entry is
            // enough for the next lookup to see the change.
            let invalidations: [Invalidation] = [
                .entry(parent: zenki, name: user), .entry(parent: sessions, name: String(session)),
            ]
            return (wakeups, invalidations)
        }
        wakeups.perform()
        notifier.withLock { $0 }?.send(contentsOf: invalidations)
        // This node's zenki are listed under `nodes/<this node>/zenki/` too.
        refreshNetworkEntries()
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
    public func shutdown() {
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
