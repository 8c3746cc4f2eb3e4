/// Shortest-path results for one node: the distance to and next hop towards every reachable
/// node. Computed from a ``TopologyGraph`` with one Dijkstra run from the node and one from
/// each neighbour, which gives each neighbour's distance to every destination.
struct RoutingTable: Equatable {
    /// Distance from the local node to each reachable node (itself at 0).
    var distances: [String: UInt64] = [:]
    /// The neighbour to send traffic for each reachable remote node to.
    var nextHops: [String: String] = [:]

    init() {}

    /// Computes the table of `localNode` over `graph`.
    init(localNode: String, graph: TopologyGraph) {
        distances = graph.distances(from: localNode)
        let candidates = graph.neighbours(of: localNode).map { neighbour in
            (neighbour.name, neighbour.cost, graph.distances(from: neighbour.name))
        }
        for (destination, distance) in distances where destination != localNode {
            // Candidates are sorted by name: the first one on a shortest path wins, the same
            // rule as ``TopologyGraph/step(from:toDestination:)`` (the graph is symmetric).
            nextHops[destination] = candidates.first { _, cost, fromNeighbour in
                fromNeighbour[destination].map { cost + $0 == distance } ?? false
            }?.0
        }
    }
}
