/// A peer address the daemon keeps a link to.
struct PeerRecord: Sendable {
    /// The node met at that address the last time, once known.
    var node: String?
    /// Why the last attempt failed, while it is failing.
    var lastError: String?
    /// Whether it came from the configuration (or from `link` at run time / discovery).
    var source: PeerSource
}
