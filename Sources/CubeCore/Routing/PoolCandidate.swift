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

    package init(place: Place, outstanding: UInt32, distance: UInt64 = 0) {
        self.place = place
        self.outstanding = outstanding
        self.distance = distance
    }

    package var isLocal: Bool {
        if case .local = place { true } else { false }
    }
}
