import CubeCore

/// The names the network part of the tree shows: the nodes in `nodes/`, the zenki under each
/// `nodes/<node>/zenki/`, and the other nodes' offers in `offers/`.
///
/// Listings are computed from the router's topology on every request; a snapshot kept between
/// requests only serves to tell the kernel which cached entries to drop (``changes(since:)``),
/// because an advert that changes a node's zenki or offers arrives without an event of its own.
struct NetworkSnapshot: Equatable, Sendable {
    /// Every listed node and the zenka names listed under it.
    private(set) var zenki: [String: [String]] = [:]
    /// The file names of other nodes' offers in `offers/` (`<node>:<id>`).
    private(set) var offers: Set<String> = []

    /// An empty snapshot (no network).
    init() {}

    /// What the tree shows now.
    /// - Parameters:
    ///   - router: the router to read the topology from.
    ///   - configuredZenki: zenki the manager runs, listed for this node even while offline.
    init(of router: borrowing Router, configuredZenki: Set<String>) {
        for node in Self.nodeNames(router) {
            zenki[node] = Self.listedZenki(of: node, router, configuredZenki: configuredZenki)
        }
        offers = Set(Self.remoteOffers(router).map { "\($0.node):\($0.offer.id)" })
    }

    /// One entry of the tree: `name` in the directory `parent`.
    struct Change: Equatable, Sendable {
        let parent: Node
        let name: String
    }

    /// The entries that appeared or vanished between `old` and this snapshot (both kinds: the
    /// kernel must forget a vanished entry, and dropping the entry of a new one is harmless).
    func changes(since old: NetworkSnapshot) -> [Change] {
        var changes: [Change] = []
        for node in Set(zenki.keys).union(old.zenki.keys).sorted() {
            let now = Set(zenki[node] ?? [])
            let before = Set(old.zenki[node] ?? [])
            if zenki[node] == nil || old.zenki[node] == nil {
                changes.append(Change(parent: .directory(.nodes), name: node))
            }
            for name in now.symmetricDifference(before).sorted() {
                changes.append(Change(parent: .nodeZenki(node), name: name))
            }
        }
        for name in offers.symmetricDifference(old.offers).sorted() {
            changes.append(Change(parent: .directory(.offers), name: name))
        }
        return changes
    }

    // MARK: - Queries on the router

    /// The nodes `nodes/` lists: every node a path leads to, this one included, and every
    /// live neighbour (its link may be up before its advert arrives; the router forwards to
    /// it over that link). Empty when the cube takes no part in a network.
    static func nodeNames(_ router: borrowing Router) -> [String] {
        guard let topology = router.topology else { return [] }
        var names = Set(topology.reachableNodes)
        names.insert(topology.localNode)
        for (node, sessions) in router.linkSessions where !sessions.isEmpty { names.insert(node) }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The zenka names under `nodes/<node>/zenki/`, or nil if `node` is not listed. This node
    /// shows exactly what `zenki/` shows; another node what its latest advert lists (none
    /// before its advert arrives).
    static func zenki(of node: String, _ router: borrowing Router, configuredZenki: Set<String>) -> [String]? {
        guard nodeNames(router).contains(node) else { return nil }
        return listedZenki(of: node, router, configuredZenki: configuredZenki)
    }

    /// ``zenki(of:_:configuredZenki:)`` for a node known to be listed.
    private static func listedZenki(of node: String, _ router: borrowing Router, configuredZenki: Set<String>) -> [String] {
        if node == router.configuration.nodeName { return Set(router.zenkaNames).union(configuredZenki).sorted() }
        return router.topology?.advert(of: node)?.zenki ?? []
    }

    /// The offers of every other listed node, as their latest adverts carry them.
    static func remoteOffers(_ router: borrowing Router) -> [(node: String, offer: AdvertOffer)] {
        guard let topology = router.topology else { return [] }
        return nodeNames(router).filter { $0 != topology.localNode }.flatMap { node in
            (topology.advert(of: node)?.offers ?? []).map { (node: node, offer: $0) }
        }
    }
}
