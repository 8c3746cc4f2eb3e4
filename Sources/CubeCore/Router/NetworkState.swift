/// The router's part in a network of cubes: the link-state database and the links.
struct NetworkState: Sendable {
    var topology: Topology
    let signer: any AdvertSigner
    /// The sequence number of this node's latest advert.
    var sequence: UInt64 = 0
    /// When this node last published its advert (wall seconds); `.min` = never.
    var lastPublished: Int64 = .min
    /// When keep-alives last went out on every link (monotonic ns).
    var lastKeepAlive: UInt64 = 0
    /// Live link sessions per neighbour, oldest first; the first one carries traffic.
    var links: [String: [SessionID]] = [:]
    /// Peers being dialled, by address: what the `links` table shows for them.
    var peers: [PeerAddress: PeerRecord] = [:]
    /// Nodes unlinked here: links from them are refused until `link <node>` (otherwise a
    /// node that dials this one would simply come back).
    var refused: Set<String> = []
    /// Other nodes' key rotations learned with valid proofs (docs/security.md, "Node key rotation").
    var rotations = NodeKeyRotations()
    /// This node's own proof, if its key replaced an earlier one.
    var ownRotation: NodeKeyRotation?

    /// Whether a link to `node` is live (no hashing while there are no links at all).
    func hasLink(to node: String) -> Bool {
        !links.isEmpty && !(links[node]?.isEmpty ?? true)
    }
}

/// A peer address the daemon keeps a link to.
struct PeerRecord: Sendable {
    /// The node met at that address the last time, once known.
    var node: String?
    /// Why the last attempt failed, while it is failing.
    var lastError: String?
    /// Whether it came from the configuration (or from `link` at run time / discovery).
    var source: PeerSource
}

/// What makes a session a link: the node at the other end.
struct LinkInfo: Sendable {
    let node: String
    /// `tcp:HOST:PORT` dialled (outbound) or the remote address (inbound), as `links` shows it.
    let address: String
    /// The address dialled, for an outbound link.
    let peer: PeerAddress?
    var outbound: Bool { peer != nil }
}
