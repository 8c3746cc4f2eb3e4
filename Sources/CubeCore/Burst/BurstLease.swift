/// A compute lease this node holds (or asked for) on another node for one of its zenki.
struct BurstLease: Equatable, Sendable {
    enum State: Equatable, Sendable {
        /// `acquire` sent, no answer yet: counts as capacity, like a starting instance.
        case requested
        /// Granted: the provider runs an instance for it.
        case active
        /// `release` sent: no longer capacity.
        case releasing
    }

    let node: String
    let offer: UInt64
    /// Instances the lease is for (its amount): capacity while not being released.
    let instances: Int
    /// The lease id on the providing node, once granted.
    var lease: UInt64?
    var state: State
    /// When it was granted or last renewed (monotonic ns).
    var renewedAt: UInt64
}
