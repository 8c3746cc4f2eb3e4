/// Names a route in creation order: issued one after another, never reused (slots are, see ``RouteTable``).
typealias RouteID = UInt64

/// A command in flight: who asked, under which id, and where it went (docs/protocol.md §6).
struct Route: Sendable {
    let id: RouteID
    /// The id the source used (0 = none); replies are relayed under it.
    let sourceCommandID: UInt64
    /// The sessions at both ends, by handle, so that ending the route (once per request)
    /// updates their indexes without hashing their ids. A session leaves the table before its
    /// routes end (``Router/remove(_:now:actions:)``): its own handle is stale by then.
    let sourceSession: SessionHandle
    let targetSession: SessionHandle
    /// The source's memory account, charged for the route until it ends (also when the source
    /// has left the table first).
    let account: MemoryAccount?
    /// The id the cube chose for the target, unique among the target's open routes.
    let targetCommandID: UInt64
    /// The path as the source wrote it, for `list routes`.
    let path: [UInt8]
    /// When the source sent it: for a command that waited in a pool's queue, when it was
    /// queued (docs/pooling.md "Queue": the wait counts in the latency figures).
    var started: UInt64
    /// Last reply, WAIT or STRM; the route timeout counts from here.
    var lastActivity: UInt64
    /// Set when a routed `heart` is timed: its reply gets the latency appended.
    let heartStarted: UInt64?
    /// Set for routes the cube itself made for a purpose (a `lease-request`).
    var purpose: RoutePurpose?
    /// Bytes sent to the target for this route, counted in its ``Session/unansweredBytes``.
    var sentBytes = 0

    /// What an open route costs its source's memory share: the route, its slab slot and
    /// index entries, the path, and the manager's record when it defers the answer
    /// (200,000 deferred `v7.notify_online` held 68 MB: about 340 bytes each).
    static func memoryCost(pathLength: Int) -> Int { 320 + pathLength }

    /// The session that sent the command.
    var source: SessionID { sourceSession.id }
    /// The session the command was sent to.
    var target: SessionID { targetSession.id }
}

/// Why the cube made a route on a session's behalf.
enum RoutePurpose: Equatable, Sendable {
    /// Asking a provider for the lease with this id.
    case leaseRequest(UInt64)
    /// A balanced command for the zenka `name`, sent to a local instance (`node` nil) or
    /// towards another node's instances (docs/pooling.md).
    case pooled(name: String, node: String?)
    /// The router's own `acquire`/`renew`/`release` of a compute lease for the zenka `name`
    /// (docs/pooling.md "Bursts"): answered to the ``BurstPlanner``, never to a session.
    case burst(name: String, action: BurstAction)
    /// `acquire` of another node's offer for `user`: a priced grant opens a tab
    /// (docs/market.md "Usage receipts").
    case remoteAcquire(node: String, user: String)
}

/// A command held for an on-demand zenka that is being started.
struct QueuedCommand: Sendable {
    let source: SessionID
    let command: Command
    let path: CommandPath
    let queued: UInt64
    /// Charged to the source's memory share while queued (docs/security.md "Resource limits").
    let account: MemoryAccount?
    let cost: Int
}


