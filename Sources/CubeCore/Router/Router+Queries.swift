// Read-only views of the router for observers (the mounted filesystem, `status`).

/// A summary of one session, for `info` files and tables.
public struct SessionSummary: Equatable, Sendable {
    public var id: SessionID
    public var user: String?
    public var subname: String?
    public var method: String?
    public var transport: Transport
    public var since: Timestamp
    public var openRoutes: Int
    public var isLoggedIn: Bool
    /// The process id of a unix-socket peer.
    public var peerPID: Int32?
}

/// What would happen to a command, decided before it is sent (the filesystem turns this
/// into an errno at `write()` time).
public enum Preflight: Equatable, Sendable {
    case accepted
    /// The path matches neither a local command nor a routed path.
    case malformed
    /// Access rules deny it.
    case denied
    /// The first element names no connected session and no on-demand zenka.
    case targetMissing
}

extension Router {
    /// Names of zenki: users of zenka-authenticated sessions, and registered on-demand zenki.
    public var zenkaNames: [String] {
        // Per user name, not per session: the mount asks on every join and leave, and one user
        // with thousands of sessions made that a scan of every session each time (make soak:
        // local hearts waited seconds while sessions came and went). A name's sessions share
        // its login method, so its first session tells.
        var names = Set(onDemand.keys)
        for (user, entry) in usersIndex where entry.first.flatMap({ sessions[$0]?.kind }) == .zenka {
            names.insert(user)
        }
        return names.sorted()
    }

    /// Whether `name` is a registered on-demand zenka.
    public func isOnDemand(_ name: String) -> Bool { onDemand[name] != nil }

    /// Logged-in sessions of `user`, in login order.
    public func sessions(of user: String) -> [SessionID] { usersIndex[user]?.ids ?? [] }

    /// Whether a route sent to session `target` under `commandID` (the id the cube chose for
    /// the target) is still open: not answered, timed out or collapsed.
    public func isRouteOpen(to target: SessionID, commandID: UInt64) -> Bool {
        sessions[target]?.targetRoutes[commandID] != nil
    }

    /// A summary of session `id`, if it exists.
    public func summary(of id: SessionID) -> SessionSummary? {
        guard let session = sessions[id] else { return nil }
        return SessionSummary(id: id, user: session.user, subname: session.subname, method: session.authLabel,
                              transport: session.transport, since: session.since,
                              openRoutes: session.sourceRoutes.count + session.targetRoutes.count,
                              isLoggedIn: session.isActive, peerPID: session.peer?.pid)
    }

    /// Checks a command path for `user` the way ``dispatch`` would, without sending it.
    public func preflight(user: String, path: [UInt8]) -> Preflight {
        var path = path
        stripLocalNode(&path)
        guard let parsed = CommandPath(path) else { return .malformed }
        // A remote node: whether the zenka exists there only that node knows; its answer
        // comes back as the reply.
        if case .name(let name) = parsed.target, isRemoteNode(name) {
            guard configuration.access.allows(user: user, command: path) else { return .denied }
            return nextHop(towards: name) != nil ? .accepted : .targetMissing
        }
        var subject = path
        if case .session(let target) = parsed.target, let name = sessions[target]?.user {
            subject = Array(name.utf8) + [UInt8(ascii: ".")] + parsed.remainder
        }
        guard configuration.access.allows(user: user, command: subject) else { return .denied }
        if let target = parsed.target, resolve(target).isEmpty {
            switch target {
            case .name(let name), .subname(let name, _): return onDemand[name] != nil ? .accepted : .targetMissing
            case .session: return .targetMissing
            }
        }
        return .accepted
    }

    /// Seconds the router has been running.
    public func uptime(now: Timestamp) -> UInt64 { now.monotonic &- started.monotonic }
}
