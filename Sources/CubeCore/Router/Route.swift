/// Names a route in creation order: issued one after another, never reused (slots are, see ``RouteTable``).
typealias RouteID = UInt64

/// A command in flight: who asked, under which id, and where it went (docs/protocol.md §6).
struct Route: Sendable {
    let id: RouteID
    let source: SessionID
    /// The id the source used (0 = none); replies are relayed under it.
    let sourceCommandID: UInt64
    let target: SessionID
    /// The sessions at both ends, so that ending the route (once per request) updates their
    /// indexes without looking them up. A session's routes end before the session is dropped.
    let sourceSession: Session
    let targetSession: Session
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
}

/// Why the cube made a route on a session's behalf.
///
/// Indirect: most routes have none, and inline its string payloads made every ``Route`` a
/// multi-payload aggregate that was moved with `memmove` and destroyed through generic value
/// witnesses, twice per request (docs/performance.md "Router CPU per pipelined request").
/// Boxed, `purpose` is one word and a route is plain references and integers.
indirect enum RoutePurpose: Equatable, Sendable {
    /// Asking a provider for the lease with this id.
    case leaseRequest(UInt64)
    /// A balanced command for the zenka `name`, sent to a local instance (`node` nil) or
    /// towards another node's instances (docs/pooling.md).
    case pooled(name: String, node: String?)
    /// The router's own `acquire`/`renew`/`release` of a compute lease for the zenka `name`
    /// (docs/pooling.md "Bursts"): answered to the ``BurstPlanner``, never to a session.
    case burst(name: String, action: BurstAction)
    /// `acquire` of another node's offer for `user`: a priced grant opens a tab
    /// (docs/market.md "Usage receipts"). `price`: what the offer's advert named when the
    /// acquire was sent (millicredits, 0 for none); `amount` and `ttl`: what was asked for. A
    /// grant above any is refused.
    case remoteAcquire(node: String, user: String, price: Int64, amount: UInt64, ttl: UInt64)
    /// `<node>.release <lease>` from a session here: once answered `TRUE lease <id> released`,
    /// this node stops charging for it (docs/market.md "Usage receipts"), without waiting for
    /// the provider's node to say it ended (one that never did was paid on and on).
    case remoteRelease(node: String, lease: UInt64)
    /// `<node>.renew <lease> [ttl]` from a session here: once answered `TRUE lease <id> renewed
    /// [ ttl <s> s ]`, the tab runs `s` seconds more, at most `ttl` (nil: the lease's own).
    case remoteRenew(node: String, lease: UInt64, ttl: UInt64?)
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

    /// Whose share of the queue the command takes: its memory account's user (a link's
    /// account for commands from another node), or `-` for one without.
    var sharer: String { account?.user ?? "-" }
}


