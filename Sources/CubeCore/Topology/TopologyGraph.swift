/// The undirected weighted graph routing runs on: a link is an edge only when both ends
/// advertise it (this node's side: the link is live), weighted by the larger of both costs.
struct TopologyGraph {
    /// node → neighbour → cost; symmetric by construction.
    private(set) var edges: [String: [String: UInt64]] = [:]

    /// Builds the graph from this node's live links and the other nodes' adverts.
    init(localNode: String, links: [String: UInt32], records: [String: LinkStateAdvert]) {
        for (origin, advert) in records {
            for neighbour in advert.neighbours {
                // The far end's view of the same link: its live link if it is this node,
                // otherwise its advert.
                let back = neighbour.name == localNode
                    ? links[origin] : records[neighbour.name]?.cost(to: origin)
                guard let back else { continue }
                let cost = UInt64(max(neighbour.cost, back))
                edges[origin, default: [:]][neighbour.name] = cost
                edges[neighbour.name, default: [:]][origin] = cost
            }
        }
    }

    /// The neighbours of `node` with their costs, sorted by name.
    func neighbours(of node: String) -> [(name: String, cost: UInt64)] {
        (edges[node] ?? [:]).map { (name: $0.key, cost: $0.value) }.sorted { Topology.precedes($0.name, $1.name) }
    }

    /// The cost of the edge between two nodes, or nil.
    func cost(_ from: String, _ to: String) -> UInt64? { edges[from]?[to] }

    /// Dijkstra: the shortest distance from `source` to every node reachable from it.
    func distances(from source: String) -> [String: UInt64] { shortestPaths(from: source).distances }

    /// Dijkstra: the shortest distances from `source`, and the reachable nodes in the order
    /// they were settled (by distance, so every node comes after the nodes before it on its
    /// shortest paths).
    func shortestPaths(from source: String) -> (distances: [String: UInt64], order: [String]) {
        var settled: [String: UInt64] = [:]
        var order: [String] = []
        var queue = DistanceQueue()
        queue.push(source, distance: 0)
        while let (node, distance) = queue.pop() {
            guard settled[node] == nil else { continue }
            settled[node] = distance
            order.append(node)
            for (neighbour, cost) in edges[node] ?? [:] where settled[neighbour] == nil {
                queue.push(neighbour, distance: distance + cost)
            }
        }
        return (settled, order)
    }

    /// The first step from `node` towards the node whose distances are `toDestination`: the
    /// neighbour on a shortest path whose name sorts first, or nil if there is none.
    func step(from node: String, toDestination distances: [String: UInt64]) -> String? {
        guard let remaining = distances[node] else { return nil }
        return neighbours(of: node).first { neighbour in
            distances[neighbour.name].map { $0 + neighbour.cost == remaining } ?? false
        }?.name
    }
}
