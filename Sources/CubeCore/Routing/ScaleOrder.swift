/// What the router asks of the manager when a balanced zenka's load changes (docs/pooling.md
/// "Scaling"), as ``RouterAction/scale(_:)``.
package enum ScaleOrder: Equatable, Sendable {
    /// Start one more instance of the zenka (the manager keeps to `instances.max`); answer a
    /// failure with ``Router/zenkaStartFailed(_:now:)``.
    case start(String)
    /// The zenka's instance logged in as this session was drained and has nothing outstanding:
    /// stop its process (SIGTERM), with no restart.
    case stop(String, SessionID)
    /// Start one instance of the zenka for a compute lease another node holds here
    /// (docs/pooling.md "Bursts"): beyond `instances.max`, within `node.compute.slots` (the
    /// router counts); answer a failure like ``start(_:)``.
    case serve(String)
}
