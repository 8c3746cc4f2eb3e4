/// A session id: a random 7-digit decimal (docs/protocol.md §6).
package typealias SessionID = UInt64

/// A point in time given to the router by its owner: the core reads no clock.
package struct Timestamp: Equatable, Sendable {
    /// Monotonic nanoseconds, for latencies and timeouts.
    package var monotonic: UInt64
    /// Wall-clock seconds since 1970, for `present` and `list` output.
    package var wall: Int64

    package init(monotonic: UInt64, wall: Int64) {
        self.monotonic = monotonic
        self.wall = wall
    }
}

/// Who is on the other end of a unix socket (from `SO_PEERCRED`).
package struct PeerIdentity: Equatable, Sendable {
    package var uid: UInt32
    package var gid: UInt32
    package var pid: Int32
    /// The unix user name of `uid`, if it has one.
    package var userName: String?
    /// Why the user name is not known when the password database could not be read (out of
    /// descriptors, say): nil when it was read, whatever it said.
    package var userNameUnavailable: String?

    package init(uid: UInt32, gid: UInt32, pid: Int32, userName: String?, userNameUnavailable: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.userName = userName
        self.userNameUnavailable = userNameUnavailable
    }
}

/// How a session reached the cube.
package enum Transport: Equatable, Sendable, CustomStringConvertible {
    case unix
    case tcp
    /// A session inside the cube process (the mounted filesystem, the manager).
    case local(String)

    package var description: String {
        switch self {
        case .unix: "unix"
        case .tcp: "tcp"
        case .local(let name): name
        }
    }
}

/// Something the owner of the ``Router`` must do.
///
/// The cases with payloads wider than two words are `indirect`: the router appends, copies and
/// destroys actions for every request, and inline those payloads made every action 97 bytes,
/// moved and destroyed through outlined value witnesses, sends included. Boxed, an action is
/// 17 bytes and a `send` is handled in place (docs/performance.md "Smaller router actions").
package enum RouterAction: Equatable, Sendable {
    /// Queue `bytes` for the session's connection.
    case send(SessionID, [UInt8])
    /// Hand a typed message to a door session (the mount's, the manager's): nothing rendered,
    /// nothing to parse (``Router/connectLocal(user:transport:method:door:now:)``).
    indirect case deliver(SessionID, Message)
    /// Close the session's connection after everything sent before has been written.
    case close(SessionID)
    /// Run `check` off the router's thread with the checker registered for its method, then
    /// call ``Router/credentialChecked(_:verdict:now:)``. Checks of different origins take
    /// turns, so one origin's burst delays no other (docs/security.md "Resource limits").
    indirect case checkCredential(SessionID, origin: Origin?, CredentialCheck)
    /// Start the on-demand zenka `name`; answer with ``Router/zenkaStartFailed(_:now:)`` if that is impossible.
    case startZenka(String)
    /// Start or stop one instance of a scaling balanced zenka (docs/pooling.md "Scaling").
    indirect case scale(ScaleOrder)
    /// Call ``Router/planPools(now:)`` every 100 ms from now on, as long as it leaves
    /// ``Router/poolsWantPlanning`` true: a command waits for a balanced zenka, and a surge
    /// must not wait for the next tick (docs/pooling.md "Surges"). Asked when such a period
    /// begins, and again at each tick while it lasts (the cube ignores it while it plans).
    case planPools
    /// From now on encrypt everything sent to the session and decrypt everything received
    /// (sent right after its `AUTH_TRUE =)`).
    case encrypt(SessionID, SecureChannelKeys)
    /// A change worth telling observers about (the `events` file, logs).
    indirect case event(RouterEvent)
    /// Keep a link to the peer at this `tcp:HOST:PORT` address (the `link` command).
    indirect case dial(PeerAddress)
    /// Stop keeping a link to the peer at this address (the `unlink` command).
    indirect case hangUp(PeerAddress)
    /// Re-read the configuration (the `reload` command), apply it with
    /// ``Router/reconfigure(_:now:)`` and answer with ``Router/reloadFinished(_:command:refusal:changes:now:)``.
    case reload(SessionID, command: UInt64)
    /// The session used up its turn (``Router/turnBudget``) with messages still buffered: stop
    /// reading from it, and feed it an empty ``Router/received(_:from:now:)`` after other
    /// sessions had their turn; read again once that returns no `resume` (docs/security.md).
    case resume(SessionID)
    /// Write the revocation list (``RevocationList/render(_:)``) to its file, replacing it
    /// (docs/security.md, "Revocation").
    case saveRevocations(String)
    /// A node's key rotation was learned with a valid proof: links from that node are now
    /// trusted only with the new key (docs/security.md, "Node key rotation").
    indirect case nodeKeyRotated(NodeKeyRotation)
}

/// Topology changes, reported as ``RouterAction/event(_:)``.
package enum RouterEvent: Equatable, Sendable, CustomStringConvertible {
    case join(user: String, session: SessionID)
    case leave(user: String, session: SessionID)
    /// A login was refused. `origin` is nil for in-process sessions; `reason` says why, for
    /// the operator's log (never for the client).
    case loginFailed(session: SessionID, method: String, user: String, origin: Origin?, reason: String)
    /// A logged-in session's command was refused for lack of permission.
    case commandRefused(session: SessionID, user: String, origin: Origin?, command: String)
    case droppedReply(session: SessionID, id: UInt64)
    case offer(id: UInt64, kind: String, capacity: UInt64, provider: String)
    case offerGone(id: UInt64, reason: String)
    case lease(id: UInt64, offer: UInt64, consumer: String, amount: UInt64)
    case leaseEnded(id: UInt64, reason: String)
    /// A link to another node came up or went down.
    case link(node: String, session: SessionID, up: Bool)
    /// A remote node became reachable or unreachable (the topology changed).
    case node(name: String, reachable: Bool)
    /// An advert was dropped for a reason worth a log line (not mere flooding duplicates).
    case advertRejected(origin: String, from: String, reason: String)
    /// A scaling zenka asked for one more instance (`up`) or drains one; `instances` is the
    /// count it is heading for (docs/pooling.md "Scaling").
    case scale(name: String, up: Bool, instances: Int)
    /// A compute lease on `node` for the zenka `name` was granted (`ended` nil: `burst`) or
    /// ended (`burst-end`, with why) (docs/pooling.md "Bursts").
    case burst(name: String, node: String, lease: UInt64, ended: String?)
    /// A usage receipt was refused, here or by the node it was sent to, or a record was
    /// unusable (docs/market.md "Usage receipts").
    case receiptRefused(node: String, line: String)
    /// A revocation was added here, by `revoke` on this node (`from` nil) or from the link to
    /// `from`; `closed` sessions had used its key or certificate (docs/security.md "Revocation").
    case revoked(target: String, signer: String, from: String?, closed: Int)
    /// A node key rotation was learned from the link to `from`: `node`'s key is `new` now, `old`
    /// only within its grace (docs/security.md "Node key rotation").
    case keyRotated(node: String, old: String, new: String, from: String)

    package var description: String {
        switch self {
        case .join(let user, let session): "join \(user) \(session)"
        case .leave(let user, let session): "leave \(user) \(session)"
        case .loginFailed(let session, let method, let user, _, _): "login-failed \(session) \(method) \(user)"
        case .commandRefused(let session, let user, _, let command): "refused \(session) \(user) \(command)"
        case .droppedReply(let session, let id): "dropped-reply \(session) \(id)"
        case .offer(let id, let kind, let capacity, let provider): "offer \(id) \(kind) \(capacity) \(provider)"
        case .offerGone(let id, let reason): "unoffer \(id) \(reason)"
        case .lease(let id, let offer, let consumer, let amount): "lease \(id) \(offer) \(consumer) \(amount)"
        case .leaseEnded(let id, let reason): "lease-end \(id) \(reason)"
        case .link(let node, _, let up): "link \(node) \(up ? "up" : "down")"
        case .node(let name, let reachable): "node \(name) \(reachable ? "reachable" : "unreachable")"
        case .advertRejected(let origin, let from, let reason): "advert-rejected \(origin) from \(from) \(reason)"
        case .scale(let name, let up, let instances): "\(up ? "scale-up" : "scale-down") \(name) \(instances)"
        case .burst(let name, let node, let lease, nil): "burst \(name) \(node) \(lease)"
        case .burst(let name, let node, let lease, let reason?): "burst-end \(name) \(node) \(lease) \(reason)"
        case .receiptRefused(let node, let line): "receipt-refused \(node) \(line)"
        case .revoked(let target, let signer, let from, let closed):
            "revoked \(target) signer \(signer) from \(from ?? "-") closed \(closed)"
        case .keyRotated(let node, let old, let new, let from): "key-rotated \(node) \(old) \(new) from \(from)"
        }
    }
}

/// Hashes one-time zenka keys; injected so the core needs no crypto library.
package protocol KeyHasher: Sendable {
    /// A fixed-length digest of `key`.
    func digest(_ key: [UInt8]) -> [UInt8]
}

/// Counters of the router's work since start, for `status`.
package struct RouterStats: Equatable, Sendable {
    /// Commands forwarded to a target session (each fan-out copy counts).
    package var commandsRouted: UInt64 = 0
    /// Replies relayed back to a source.
    package var repliesRelayed: UInt64 = 0
    /// Commands the cube answered itself.
    package var localCommands: UInt64 = 0
    /// Logins that succeeded.
    package var logins: UInt64 = 0
    /// Logins that failed.
    package var failedLogins: UInt64 = 0
    /// Commands refused for lack of permission.
    package var refusedCommands: UInt64 = 0
    /// Replies relayed, by keyword (indexed like `ReplyKeyword.allCases`).
    package var repliesByKeyword = [UInt64](repeating: 0, count: ReplyKeyword.allCases.count)
    /// Routes that collapsed because their target went away.
    package var routesCollapsed: UInt64 = 0
    /// Routes answered `FALSE route timeout`.
    package var routesTimedOut: UInt64 = 0
    /// Time from a routed command to its final reply.
    package var routeLatency = LatencyHistogram()
    /// Adverts received on links, and adverts this node published.
    package var advertsReceived: UInt64 = 0
    package var advertsPublished: UInt64 = 0
    /// Adverts refused because the database was full (`network.max-nodes`, `network.max-database`).
    package var advertsRefusedFull: UInt64 = 0
    /// Offers made and leases granted since start.
    package var offersMade: UInt64 = 0
    package var leasesGranted: UInt64 = 0
}
