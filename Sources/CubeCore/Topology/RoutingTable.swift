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

    /// Computes the table of the graph's node 0 (this node).
    init(graph: TopologyGraph) {
        let (settled, order) = graph.shortestPaths(from: 0)
        // Neighbours in name order: the lowest position in a set is the name that sorts first.
        let neighbours = graph.neighboursByName(of: 0)
        var position = [Int](repeating: -1, count: graph.names.count)
        for (index, neighbour) in neighbours.enumerated() { position[neighbour.node] = index }
        let words = (neighbours.count + 63) / 64
        var firstHops = [UInt64](repeating: 0, count: graph.names.count * words)
        distances.reserveCapacity(order.count)
        nextHops.reserveCapacity(order.count)
        for node in order {
            guard let distance = settled[node] else { continue }
            distances[graph.names[node]] = distance
            guard node != 0 else { continue }
            let set = node * words
            let own: Int = position[node]
            if own >= 0, neighbours[own].cost == distance {
                firstHops[set + own / 64] |= UInt64(1) << UInt64(own % 64)
            }
            for (previous, cost) in graph.edges[node] where previous != 0 {
                guard let before = settled[previous], before + cost == distance else { continue }
                for word in 0..<words { firstHops[set + word] |= firstHops[previous * words + word] }
            }
            for word in 0..<words where firstHops[set + word] != 0 {
                let first: Int = word * 64 + firstHops[set + word].trailingZeroBitCount
                nextHops[graph.names[node]] = graph.names[neighbours[first].node]
                break
            }
        }
    }
}
