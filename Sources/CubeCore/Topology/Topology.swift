/// The link-state database of one node (docs/protocol.md §8.3): the latest advert of every other
/// node, this node's live links, and the shortest paths over them. Pure: the daemon feeds it
/// events (an advert arrived on a link, a link came up or went down, a timer fired) and
/// carries out what it returns (send this advert to these neighbours).
///
/// ## Flooding
/// An advert that ``accept(_:from:now:)`` stores is sent on to every live neighbour except
/// the one it came from; every other copy arriving later is `stale` and goes no further, so
/// each advert crosses each link at most once per direction and flooding ends.
///
/// ## Routing
/// A link counts only when **both** ends advertise it (for this node's own links: when the
/// link is live here and the neighbour's advert lists this node); its cost is the larger of
/// the two advertised costs, so the graph is the same seen from either end. Paths are
/// shortest by total cost; among equally short ones every node picks, at each step, the
/// neighbour whose name sorts first (bytewise), so ``route(to:)`` computed here is exactly
/// the path that hop-by-hop forwarding will take.
///
/// ## Why forwarding cannot loop
/// A node forwards a path whose first element names a remote node to ``nextHop(to:)``,
/// unchanged; the named node strips its own name and resolves the rest (a new destination
/// starts a new, equally loop-free, journey). Once adverts have flooded, every node computes
/// on the same graph, and the next hop `v` of node `u` towards `d` lies on a shortest path:
/// `dist(v, d) = dist(u, d) - cost(u, v) < dist(u, d)` because costs are at least 1. The
/// distance to the destination strictly decreases at every hop and cannot return to an
/// earlier value, so no node is visited twice. While adverts are still in flight two nodes
/// may briefly disagree; a ``HopCount`` (at most ``maximumHops``) travels with every
/// forwarded path so that a transient loop, or a bug, ends with `FALSE hop limit exceeded`.
package struct Topology: Sendable {
    /// The most links a forwarded path may cross (see ``HopCount``).
    package static let maximumHops = 32
    /// Default for ``maximumAge``: ten minutes, so a node should re-advertise every few minutes.
    package static let defaultMaximumAge: Int64 = 600
    /// Default for ``maximumClockSkew``.
    package static let defaultMaximumClockSkew: Int64 = 60

    /// This node's name.
    package let localNode: String
    /// This node's identity key, base32.
    package let localKey: String
    /// An advert issued more than this many seconds ago is refused, and an origin whose
    /// latest advert grows that old is removed by ``expire(now:)``.
    package let maximumAge: Int64
    /// An advert issued more than this many seconds in the future is refused.
    package let maximumClockSkew: Int64
    /// The limits of what other nodes' adverts may hold here (docs/network.md "Limits").
    package let limits: TopologyLimits
    /// Nodes whose key came from the trusted-nodes file (the keys pinned at start): their pins
    /// are never dropped, and they are the only origins accepted when
    /// ``TopologyLimits/acceptsUnlisted`` is off.
    let listedNodes: Set<String>
    /// About the text size of every advert in ``records`` (``LinkStateAdvert/textBytes``).
    package internal(set) var databaseBytes = 0
    /// Checks advert signatures (held by reference: see ``Held``).
    var verifier: any AdvertVerifier { heldVerifier.value }
    private let heldVerifier: Held<any AdvertVerifier>

    /// The latest accepted advert of every other node, by origin.
    var records: [String: LinkStateAdvert] = [:]
    /// This node's own advert as last given to ``publish(_:)``.
    package internal(set) var publishedAdvert: LinkStateAdvert?
    /// The key seen first for each origin (trust on first use). Kept when an origin expires,
    /// so a node that comes back must come back with the same key; persist it with
    /// `init(…pinnedKeys:)` across restarts, undo it with ``forget(_:)``.
    package internal(set) var pinnedKeys: [String: String]
    /// Keys replaced by a rotation whose adverts are still accepted for their node until the
    /// end of the grace, without re-pinning (docs/security.md, "Node key rotation"): key → node.
    package internal(set) var retiredKeys: [String: RetiredKey] = [:]
    /// This node's live links: neighbour name → cost.
    package internal(set) var links: [String: UInt32] = [:]
    /// Shortest-path results, recomputed after every change.
    var table = RoutingTable()
    /// How many times the shortest paths were computed (tests, metrics): a turn of adverts
    /// costs one.
    package internal(set) var recomputations = 0

    /// Creates an empty database.
    /// - Parameters:
    ///   - localNode: this node's name.
    ///   - localKey: this node's identity key, base32.
    ///   - verifier: checks advert signatures.
    ///   - maximumAge: see ``maximumAge``.
    ///   - maximumClockSkew: see ``maximumClockSkew``.
    ///   - pinnedKeys: keys pinned at start, from the trusted-nodes file (origin → base32 key).
    ///   - limits: how many nodes and how much advert text are held at most.
    package init(localNode: String, localKey: String, verifier: any AdvertVerifier,
                maximumAge: Int64 = Topology.defaultMaximumAge,
                maximumClockSkew: Int64 = Topology.defaultMaximumClockSkew,
                pinnedKeys: [String: String] = [:], limits: TopologyLimits = TopologyLimits()) {
        self.localNode = localNode
        self.localKey = localKey
        heldVerifier = Held(verifier)
        self.maximumAge = maximumAge
        self.maximumClockSkew = maximumClockSkew
        self.pinnedKeys = pinnedKeys
        self.limits = limits
        listedNodes = Set(pinnedKeys.keys)
        // This node is reachable (distance 0) from the start, before any link or advert: a
        // node that has not linked yet, or whose links are all refused, still lists itself.
        recompute()
    }

    // MARK: - Queries

    /// Every known node, this one included, sorted (reachable or not).
    package var nodes: [String] { (Array(records.keys) + [localNode]).sorted(by: Self.precedes) }

    /// How many other nodes' adverts are held (``TopologyLimits/nodes`` bounds it).
    package var heldNodeCount: Int { records.count }

    /// The nodes a path currently leads to, this one included, sorted.
    package var reachableNodes: [String] { table.distances.keys.sorted(by: Self.precedes) }

    /// This node's live neighbours, sorted.
    package var neighbours: [String] { links.keys.sorted(by: Self.precedes) }

    /// The latest advert of `node` (this node's: the published one), or nil.
    /// - Parameter node: a node name.
    package func advert(of node: String) -> LinkStateAdvert? {
        node == localNode ? publishedAdvert : records[node]
    }

    /// Whether an advert of the other node `node` is held. Asked for every routed command:
    /// answers without hashing while this node knows no other, and looks the key up without
    /// copying the advert out (`records[node] != nil` did, and destroyed it again: 2.5 % of
    /// a node's CPU forwarding across nodes, docs/performance.md "Across nodes").
    package func knows(_ node: String) -> Bool {
        !records.isEmpty && records.index(forKey: node) != nil
    }

    /// Every advert held, this node's published one included, sorted by origin: what a
    /// neighbour whose link just came up must be sent.
    package var adverts: [LinkStateAdvert] {
        (Array(records.values) + (publishedAdvert.map { [$0] } ?? [])).sorted { Self.precedes($0.origin, $1.origin) }
    }

    /// Bytewise name order, the order of every list and tie-break here.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool { lhs.utf8.lexicographicallyPrecedes(rhs.utf8) }
}
