/// A node a burst can go to: a reachable node whose advertised `compute` offer lists the zenka
/// in `runs=` and has a slot free (docs/pooling.md "Bursts").
struct ComputeCandidate: Equatable, Sendable {
    let node: String
    /// The offer's id on that node.
    let offer: UInt64
    /// Slots free as of its advert.
    let available: UInt64
    /// Its advertised `load=`: unanswered commands at its instances of the zenki it runs.
    let load: UInt32
    /// Path cost to the node.
    let distance: UInt64

    /// Best first: least loaded, then most slots free, then nearest, then by name.
    static func ordered(_ lhs: ComputeCandidate, _ rhs: ComputeCandidate) -> Bool {
        let left = (lhs.load, UInt64.max - lhs.available, lhs.distance)
        let right = (rhs.load, UInt64.max - rhs.available, rhs.distance)
        if left != right { return left < right }
        return lhs.node.utf8.lexicographicallyPrecedes(rhs.node.utf8)
    }
}
