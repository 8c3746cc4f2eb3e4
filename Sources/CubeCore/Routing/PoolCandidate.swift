/// One place a routed command can go: a local session of the name, or a remote node whose
/// advert lists instances of it (docs/pooling.md).
package struct PoolCandidate: Equatable, Sendable {
    /// Where the candidate is.
    package enum Place: Equatable, Hashable, Sendable {
        /// A session on this node.
        case local(SessionID)
        /// Instances on another node, reached by forwarding `<node>.<path>`.
        case remote(String)
    }

    package let place: Place
    /// Unanswered commands per instance (for a remote node: its advert's figure, rounded up,
    /// plus what this node has sent there since).
    package let outstanding: UInt32
    /// Path cost to the candidate's node; 0 here.
    package let distance: UInt64
    /// What counts against the per-instance limit (docs/pooling.md "Queue"): for a local
    /// session its outstanding requests; for a remote node only what this node sent there and
    /// that is still open, per instance (rounded up). The advert's figure may be a second old
    /// and includes other nodes' commands: it ranks, but never holds a command back.
    package let held: UInt32

    package init(place: Place, outstanding: UInt32, distance: UInt64 = 0, held: UInt32? = nil) {
        self.place = place
        self.outstanding = outstanding
        self.distance = distance
        self.held = held ?? outstanding
    }

    package var isLocal: Bool {
        if case .local = place { true } else { false }
    }
}
