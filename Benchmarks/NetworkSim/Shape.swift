import CubeCore

/// The networks the simulation builds: undirected links between node indexes, cost 1 (the
/// daemon's only cost today, docs/network.md "Limits").
enum Shape: String, CaseIterable {
    /// A ring where every node links to the next two, plus one random chord per ten nodes:
    /// a flat mesh of equals, degree about 4, short paths thanks to the chords.
    case mesh
    /// Regions of 25 nodes: 2 hubs linked to each other and to each of the region's 23 leaves
    /// (every leaf has two uplinks); each hub also links to the same hub of the next two
    /// regions (a backbone ring with chords). The usual data-centre / branch-office pattern.
    case regions

    /// The links of a network of `count` nodes, each pair once with the lower index first.
    func links(count: Int, random: inout SplitMix64) -> [(Int, Int)] {
        var links = Set<Pair>()
        func add(_ a: Int, _ b: Int) { if a != b { links.insert(Pair(min(a, b), max(a, b))) } }
        switch self {
        case .mesh:
            for node in 0..<count {
                add(node, (node + 1) % count)
                add(node, (node + 2) % count)
            }
            for _ in 0..<(count / 10) { add(Int.random(in: 0..<count, using: &random), Int.random(in: 0..<count, using: &random)) }
        case .regions:
            let size = 25
            let regions = (count + size - 1) / size
            for region in 0..<regions {
                let first = region * size
                let last = min(first + size, count) - 1
                let hubs = [first, min(first + 1, last)]
                add(hubs[0], hubs[1])
                for leaf in (first + 2)..<(last + 1) { for hub in hubs { add(leaf, hub) } }
                for step in 1...2 where regions > step {
                    let next = ((region + step) % regions) * size
                    for (offset, hub) in hubs.enumerated() where next + offset < count { add(hub, next + offset) }
                }
            }
        }
        return links.sorted { ($0.a, $0.b) < ($1.a, $1.b) }.map { ($0.a, $0.b) }
    }

    private struct Pair: Hashable {
        let a: Int
        let b: Int
        init(_ a: Int, _ b: Int) { self.a = a; self.b = b }
    }
}
