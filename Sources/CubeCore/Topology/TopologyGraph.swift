/// The undirected weighted graph routing runs on: a link is an edge only when both ends
/// advertise it (this node's side: the link is live), weighted by the larger of both costs.
///
/// Nodes are numbered once per build (this node is 0, the others in any order) so that the
/// shortest-path runs index arrays instead of hashing names: with a thousand nodes, hashing
/// names was most of a recomputation (docs/network.md "A thousand nodes, simulated").
/// Numbers carry no order; where names must break a tie they are compared by name.
struct TopologyGraph {
    /// Node names by number; 0 is this node.
    let names: [String]
    /// The number of each node name.
    let numbers: [String: Int]
    /// Each node's neighbours with the edge's cost; symmetric by construction.
    private(set) var edges: [[(node: Int, cost: UInt64)]]

    /// Builds the graph from this node's live links and the other nodes' adverts.
    init(localNode: String, links: [String: UInt32], records: [String: LinkStateAdvert]) {
        var names = [localNode]
        var numbers = [localNode: 0]
        var adverts: [LinkStateAdvert?] = [nil]
        names.reserveCapacity(records.count + 1)
        adverts.reserveCapacity(records.count + 1)
        for (origin, advert) in records where origin != localNode {
            numbers[origin] = names.count
            names.append(origin)
            adverts.append(advert)
        }
        var edges = [[(node: Int, cost: UInt64)]](repeating: [], count: names.count)
        for from in 1..<max(names.count, 1) {
            guard let advert = adverts[from] else { continue }
            for neighbour in advert.neighbours {
                // Each edge once: from its end with the lower number, or from the far end when
                // it is this node (which has no advert). The far end's view of the same link:
                // this node's live link, or the far end's advert.
                guard let to = numbers[neighbour.name], to == 0 || from < to else { continue }
                let back = to == 0 ? links[advert.origin] : adverts[to]?.cost(to: advert.origin)
                guard let back else { continue }
                let cost = UInt64(max(neighbour.cost, back))
                edges[from].append((to, cost))
                edges[to].append((from, cost))
            }
        }
        self.names = names
        self.numbers = numbers
        self.edges = edges
    }

    /// The neighbours of `node` with their costs, sorted by name.
    func neighboursByName(of node: Int) -> [(node: Int, cost: UInt64)] {
        edges[node].sorted { Topology.precedes(names[$0.node], names[$1.node]) }
    }

    /// Dijkstra: the shortest distance from `source` to every node (nil: unreachable), and the
    /// reachable nodes in the order they were settled (by distance, so every node comes after
    /// the nodes before it on its shortest paths).
    func shortestPaths(from source: Int) -> (distances: [UInt64?], order: [Int]) {
        var settled = [UInt64?](repeating: nil, count: names.count)
        var order: [Int] = []
        var queue = DistanceQueue()
        queue.push(source, distance: 0)
        while let (node, distance) = queue.pop() {
            guard settled[node] == nil else { continue }
            settled[node] = distance
            order.append(node)
            for (neighbour, cost) in edges[node] where settled[neighbour] == nil {
                queue.push(neighbour, distance: distance + cost)
            }
        }
        return (settled, order)
    }

    /// The first step from `node` towards the node whose distances are `toDestination`: the
    /// neighbour on a shortest path whose name sorts first, or nil if there is none.
    func step(from node: Int, toDestination distances: [UInt64?]) -> Int? {
        guard let remaining = distances[node] else { return nil }
        return neighboursByName(of: node).first { neighbour in
            distances[neighbour.node].map { $0 + neighbour.cost == remaining } ?? false
        }?.node
    }
}
