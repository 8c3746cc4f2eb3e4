import CubeCore

/// The address each node announced last on the discovery segment, and when that announcement
/// was issued (docs/network.md "Discovery"). An announcement older than the one taken is a
/// replay: a captured announcement from before a node moved would otherwise switch the dialler
/// back to the old address for as long as it stays fresh (3 intervals).
struct DiscoveredNodes: Sendable {
    /// What an accepted announcement changes.
    enum Change: Equatable, Sendable {
        /// The first announcement of the node.
        case new
        /// The node announced the address it had.
        case same
        /// The node moved from `previous`.
        case moved(previous: PeerAddress)
        /// Issued before the announcement taken last: ignored.
        case replayed
    }

    private var nodes: [String: (address: PeerAddress, issued: Int64)] = [:]

    /// Takes an announcement of `node` at `address`, issued at `issued` (unix seconds).
    mutating func take(_ node: String, at address: PeerAddress, issued: Int64) -> Change {
        guard let known = nodes[node] else {
            nodes[node] = (address, issued)
            return .new
        }
        guard issued >= known.issued else { return .replayed }
        nodes[node] = (address, issued)
        return known.address == address ? .same : .moved(previous: known.address)
    }
}
