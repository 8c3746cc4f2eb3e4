/// Shortest-path results for one node: the distance to and next hop towards every reachable
/// node, from **one** Dijkstra run over a ``TopologyGraph``.
///
/// The next hop towards `d` must be the same one hop-by-hop forwarding takes
/// (``TopologyGraph/step(from:toDestination:)``): the neighbour `v` whose name sorts first
/// among those with `cost(local, v) + dist(v, d) == dist(local, d)`, i.e. those whose link
/// starts some shortest path to `d`. Instead of a Dijkstra run from every neighbour (which
/// made each recomputation cost `degree + 1` runs, docs/network.md "Scaling"), the run from
/// this node carries, for every node, the set of neighbours that start a shortest path to it:
/// a neighbour starts one to itself when its link is a shortest path, and a node inherits the
/// sets of every node before it on a shortest path. Costs are at least 1, so those nodes are
/// settled earlier and their sets are complete when it is reached.
struct RoutingTable: Equatable {
    /// Distance from the local node to each reachable node (itself at 0).
    var distances: [String: UInt64] = [:]
    /// The neighbour to send traffic for each reachable remote node to.
    var nextHops: [String: String] = [:]

    init() {}

    /// Computes the table of `localNode` over `graph`.
    init(localNode: String, graph: TopologyGraph) {
        let (settled, order) = graph.shortestPaths(from: localNode)
        distances = settled
        // Neighbours in name order: the lowest index in a set is the name that sorts first.
        let neighbours = graph.neighbours(of: localNode)
        var index: [String: Int] = [:]
        for (position, neighbour) in neighbours.enumerated() { index[neighbour.name] = position }
        let words = (neighbours.count + 63) / 64
        var firstHops: [String: [UInt64]] = [:]
        for node in order where node != localNode {
            guard let distance = settled[node] else { continue }
            var set = [UInt64](repeating: 0, count: words)
            if let position = index[node], graph.cost(localNode, node) == distance {
                set[position / 64] |= 1 << UInt64(position % 64)
            }
            for (previous, cost) in graph.edges[node] ?? [:] where previous != localNode {
                guard let before = settled[previous], before + cost == distance, let inherited = firstHops[previous]
                else { continue }
                for word in 0..<words { set[word] |= inherited[word] }
            }
            firstHops[node] = set
            if let word = set.firstIndex(where: { $0 != 0 }) {
                nextHops[node] = neighbours[word * 64 + set[word].trailingZeroBitCount].name
            }
        }
    }
}
