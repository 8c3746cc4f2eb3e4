// Read-only views of the router for observers (the mounted filesystem, `status`).

/// A summary of one session, for `info` files and tables.
package struct SessionSummary: Equatable, Sendable {
    package var id: SessionID
    package var user: String?
    package var subname: String?
    package var method: String?
    package var transport: Transport
    package var since: Timestamp
    package var openRoutes: Int
    package var isLoggedIn: Bool
    /// The process id of a unix-socket peer.
    package var peerPID: Int32?
}

extension Router {
    /// Names of zenki: users of zenka-authenticated sessions, and registered on-demand zenki.
    package var zenkaNames: [String] {
        // Per user name, not per session: the mount asks on every join and leave, and one user
        // with thousands of sessions made that a scan of every session each time (make soak:
        // local hearts waited seconds while sessions came and went). A name's sessions share
        // its login method, so its first session tells.
        var names = Set(onDemand.names)
        for user in users.names where users.first(of: user).flatMap({ sessions[$0]?.kind }) == .zenka {
            names.insert(user)
        }
        return names.sorted()
    }

    /// Whether `name` is a registered on-demand zenka.
    package func isOnDemand(_ name: String) -> Bool { onDemand.contains(name) }

    /// Logged-in sessions of `user`, in login order.
    package func sessions(of user: String) -> [SessionID] { users.ids(of: user) }

    /// Whether a route sent to session `target` under `commandID` (the id the cube chose for
    /// the target) is still open: not answered, timed out or collapsed.
    package func isRouteOpen(to target: SessionID, commandID: UInt64) -> Bool {
        sessions[target]?.targetRoutes[commandID] != nil
    }

    /// A summary of session `id`, if it exists.
    package func summary(of id: SessionID) -> SessionSummary? {
        guard let session = sessions[id] else { return nil }
        return SessionSummary(id: id, user: session.user, subname: session.subname, method: session.authLabel,
                              transport: session.transport, since: session.since,
                              openRoutes: session.sourceRoutes.count + session.targetRoutes.count,
                              isLoggedIn: session.isActive, peerPID: session.peer?.pid)
    }

    /// Seconds the router has been running.
    package func uptime(now: Timestamp) -> UInt64 { now.monotonic &- started.monotonic }
}
