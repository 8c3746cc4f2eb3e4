/// What the ``Market`` did that someone must be told of; the router turns each into notices
/// and events (docs/protocol.md §8.1 "Lease end").
package enum MarketChange: Equatable, Sendable {
    /// A lease ended. `reason` nil: a request that never became a lease, ended silently.
    /// `provider` is the providing session if its offer still exists.
    case leaseEnded(Lease, reason: String?, provider: SessionID?)
    /// An offer is gone (after its leases ended).
    case offerGone(Offer, reason: String)
    /// The consumer should be told (`lease-warning <id> <reason>`): its credit runs low.
    case leaseWarned(Lease, reason: String)
}
