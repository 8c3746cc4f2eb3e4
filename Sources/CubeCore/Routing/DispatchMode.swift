/// How a command for a zenka's name reaches its instances (`zenka.<name>.dispatch`,
/// docs/pooling.md).
package enum DispatchMode: String, Equatable, Sendable {
    /// Every session of the name gets a copy: the original's fan-out (docs/protocol.md §4.3), the default.
    case all
    /// Exactly one instance gets it, the least loaded one (``BalancedPolicy``).
    case balanced

    /// The policy that carries the mode out; nil for `all`, which the router runs inline
    /// (``Router/route(_:_:from:now:actions:)``): fan-out is every routed command's path and
    /// needs no candidate list.
    /// - Parameter target: outstanding requests per instance above which local instances no
    ///   longer come first (`zenka.<name>.scale.target`).
    package func policy(target: UInt32) -> (any RoutingPolicy)? {
        switch self {
        case .all: nil
        case .balanced: BalancedPolicy(target: target)
        }
    }
}
