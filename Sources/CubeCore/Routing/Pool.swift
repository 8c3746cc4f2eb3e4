/// What the router keeps for one balanced zenka name (docs/pooling.md): the tie-break turn,
/// its figures, commands waiting for a free instance, sessions being drained, and commands in flight to
/// other nodes' instances.
struct Pool: Sendable {
    /// Tie-break counter of the ``BalancedPolicy``.
    var turn: UInt64 = 0
    /// Commands no instance could take yet, oldest first; at most `zenka.<name>.queue`
    /// commands and `zenka.<name>.queue.bytes` bytes.
    var waiting = PoolQueue<QueuedCommand>()
    /// Sessions of the name that take no new commands (a stopping instance finishes what it has).
    var draining: Set<SessionID> = []
    /// Those of ``draining`` drained because a compute lease ended, not for idleness
    /// (``ScaleOrder/stop(_:_:leaseEnded:)`` says which).
    var drainedForLease: Set<SessionID> = []
    /// Commands this node forwarded to each remote node's instances, not answered yet: the
    /// node's advert may be up to a second old, so this is the floor of its load.
    var remoteOutstanding: [String: UInt32] = [:]

    /// Draining sessions whose stop was ordered already (``ScaleOrder/stop(_:_:leaseEnded:)`` goes out once).
    var stopOrdered: Set<SessionID> = []
    /// Those of ``draining`` the manager stops to restart them (`v7.restart`, missed
    /// heartbeats): they come back, unless a lease's end takes them.
    var stoppingByManager: Set<SessionID> = []
    /// Answers, errors, latencies and scale events, for `stats <name>`.
    var stats = PoolStats()
}
