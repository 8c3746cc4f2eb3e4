/// What ``Topology/accept(_:from:now:)`` did with an advert. Only `.accepted` changed the
/// database; everything else was dropped and must not be forwarded.
package enum AdvertDecision: Equatable, Sendable {
    /// Stored; send it on to these live neighbours (every one but the sender), sorted.
    case accepted(forwardTo: [String])
    /// A field has an invalid shape or exceeds a limit.
    case malformed
    /// It carries no signature.
    case unsigned
    /// The signature does not verify with the advert's key.
    case badSignature
    /// The origin's key differs from the key pinned for it: someone else claims that name.
    /// Worth a log line at warning level.
    case keyChanged(pinned: String)
    /// Not newer than the advert already held for the origin (a duplicate from flooding, or a
    /// replay).
    case stale(known: UInt64)
    /// Issued longer ago than the maximum age (a replay of an expired advert, or a dead node).
    case tooOld
    /// Issued further in the future than the allowed clock skew.
    case fromTheFuture
    /// A genuine advert of this very node (our key, our signature) that came back through the
    /// network. If `sequence` is not below the local one, an earlier run of this node used
    /// higher numbers: continue above `sequence`.
    case aboutLocalNode(sequence: UInt64)
    /// It claims to be about this node but is not signed by this node's key.
    case forgedLocalNode
    /// Its origin is not in the trusted-nodes file, and `network.unlisted-nodes` is `refuse`.
    case unlisted
    /// Holding it would pass `network.max-nodes` (a new origin) or `network.max-database`.
    case databaseFull
}
