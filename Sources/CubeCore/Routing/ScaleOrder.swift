/// What the router asks of the manager when a balanced zenka's load changes (docs/pooling.md
/// "Scaling"), as ``RouterAction/scale(_:)``.
package enum ScaleOrder: Equatable, Sendable {
    /// Start one more instance of the zenka (the manager keeps to `instances.max`); answer a
    /// failure with ``Router/zenkaStartFailed(_:now:)``.
    case start(String)
    /// The zenka's instance logged in as this session was drained and has nothing outstanding:
    /// stop its process (SIGTERM), with no restart. `leaseEnded`: drained because a compute
    /// lease ended (one served process fewer), not for idleness (one of the node's own fewer);
    /// the manager keeps its count of served processes by it, whichever process it stops.
    case stop(String, SessionID, leaseEnded: Bool)
    /// Start one instance of the zenka for a compute lease another node holds here
    /// (docs/pooling.md "Bursts"): beyond `instances.max`, within `node.compute.slots` (the
    /// router counts); answer a failure like ``start(_:)``.
    case serve(String)
}
