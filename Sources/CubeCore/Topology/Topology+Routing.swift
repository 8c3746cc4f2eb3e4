extension Topology {
    /// The neighbour to forward traffic for `node` to, or nil if `node` is this node, unknown
    /// or unreachable. See the type's documentation for the path choice and loop freedom.
    /// - Parameter node: the destination node's name.
    package func nextHop(to node: String) -> String? { table.nextHops[node] }

    /// The path traffic for `node` takes, from this node to `node` inclusive (`[localNode]`
    /// for this node), or nil if it is unreachable. Its second element is ``nextHop(to:)``.
    /// - Parameter node: the destination node's name.
    package func route(to node: String) -> [String]? {
        guard table.distances[node] != nil else { return nil }
        let graph = TopologyGraph(localNode: localNode, links: links, records: records)
        guard let destination = graph.numbers[node] else { return nil }
        let towards = graph.shortestPaths(from: destination).distances
        var path = [0]
        while let last = path.last, last != destination {
            guard path.count <= table.distances.count, let step = graph.step(from: last, toDestination: towards)
            else { return nil }
            path.append(step)
        }
        return path.map { graph.names[$0] }
    }

    /// The total cost of the shortest path to `node` (0 for this node), or nil if unreachable.
    /// - Parameter node: the destination node's name.
    package func distance(to node: String) -> UInt64? { table.distances[node] }

    /// The next hop towards every reachable remote node (destination → neighbour).
    package var routingTable: [String: String] { table.nextHops }

    /// Rebuilds the graph and the routing table after a change.
    mutating func recompute() {
        recomputations &+= 1
        let graph = TopologyGraph(localNode: localNode, links: links, records: records)
        table = RoutingTable(graph: graph)
    }
}
