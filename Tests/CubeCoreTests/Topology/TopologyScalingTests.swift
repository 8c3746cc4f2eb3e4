import CubeCore
import Testing

/// The shortcuts that let the topology scale to thousands of nodes (docs/network.md
/// "Scaling"): one Dijkstra run per recomputation, none for a refresh that keeps the links,
/// one for a batch of adverts. Each must give exactly the routes of the plain method.
@Suite struct TopologyScalingTests {
    /// A random connected network: a random spanning tree plus `extra` chords, costs 1...3.
    static func randomNetwork(nodes count: Int, extra: Int, seed: UInt64) -> TestNetwork {
        var random = SplitMix64(seed: seed)
        let names = (1...count).map { "n\($0)" }
        var network = TestNetwork(names)
        var linked: Set<[String]> = []
        func link(_ a: String, _ b: String) {
            guard a != b, linked.insert([a, b].sorted()).inserted else { return }
            network.connect(a, b, cost: UInt32.random(in: 1...3, using: &random))
        }
        for index in 1..<count { link(names[index], names[Int.random(in: 0..<index, using: &random)]) }
        for _ in 0..<extra { link(names.randomElement(using: &random) ?? "n1", names.randomElement(using: &random) ?? "n1") }
        return network
    }

    /// The routing table (one Dijkstra run carrying first-hop sets) agrees with the path that
    /// hop-by-hop forwarding takes (`route(to:)`, a Dijkstra run from the destination and the
    /// name-order step at every node), on random networks with many equal-cost paths.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func nextHopsAreTheFirstStepsOfTheForwardedPaths(seed: UInt64) {
        let network = Self.randomNetwork(nodes: 16, extra: 16, seed: seed)
        for (name, topology) in network.nodes {
            #expect(topology.reachableNodes.count == 16)
            for destination in topology.reachableNodes where destination != name {
                let path = topology.route(to: destination)
                #expect(path?.last == destination)
                #expect(topology.nextHop(to: destination) == path?.dropFirst().first,
                        "\(name) → \(destination): next hop \(topology.nextHop(to: destination) ?? "-"), path \(path ?? [])")
            }
        }
    }

    /// A refresh advert (same links, new sequence number and zenki) is stored and flooded
    /// like any other, and the routes stay what they were.
    @Test func aRefreshWithTheSameLinksKeepsTheRoutes() {
        let network = TestNetwork.ringWithChord()
        let before = network["n4"].routingTable
        let refresh = LinkStateAdvert(origin: "n2", key: ToyMAC.key(for: "n2"), sequence: 1_000,
                                      neighbours: [AdvertNeighbour("n1"), AdvertNeighbour("n3")],
                                      zenki: ["calc", "store"], issued: TestNetwork.start)
            .signed(by: ToySigner(publicKey: ToyMAC.key(for: "n2")))
        var n4 = network["n4"]
        #expect(n4.accept(refresh, from: "n3", now: TestNetwork.start) == .accepted(forwardTo: ["n5"]))
        #expect(n4.advert(of: "n2")?.zenki == ["calc", "store"])
        #expect(n4.routingTable == before)
        // And a refresh that drops a link does change them: n2 no longer advertises n3.
        let cut = LinkStateAdvert(origin: "n2", key: ToyMAC.key(for: "n2"), sequence: 1_001,
                                  neighbours: [AdvertNeighbour("n1")], issued: TestNetwork.start)
            .signed(by: ToySigner(publicKey: ToyMAC.key(for: "n2")))
        #expect(n4.accept(cut, from: "n3", now: TestNetwork.start) == .accepted(forwardTo: ["n5"]))
        #expect(n4.route(to: "n2") == ["n4", "n3", "n1", "n2"])
        #expect(n4.nextHop(to: "n2") == "n3")
    }

    /// A node that restarts with an empty database and receives the whole database at once
    /// gets the same decisions and the same routes from the batch as from one advert at a
    /// time, and the routes it had before the restart.
    @Test(arguments: [UInt64(7), 8])
    func aBatchGivesTheSameDecisionsAndRoutesAsOneAtATime(seed: UInt64) {
        let network = Self.randomNetwork(nodes: 14, extra: 10, seed: seed)
        let restarted = network["n1"]
        let neighbour = restarted.neighbours[0]
        // What the neighbour sends when the link comes up, plus a stale duplicate and a forgery.
        var adverts = network[neighbour].adverts
        adverts.append(adverts[0])
        let victim = adverts[1]
        adverts.append(LinkStateAdvert(origin: victim.origin, key: victim.key, sequence: victim.sequence + 1,
                                       neighbours: [], issued: victim.issued, signature: [1, 2, 3]))
        var single = TestNetwork.database(for: "n1")
        var batch = TestNetwork.database(for: "n1")
        for (name, cost) in restarted.links {
            single.linkUp(name, cost: cost)
            batch.linkUp(name, cost: cost)
        }
        let one = adverts.map { single.accept($0, from: neighbour, now: TestNetwork.start) }
        let all = batch.accept(adverts, from: neighbour, now: TestNetwork.start)
        #expect(all == one)
        #expect(all.last == .badSignature)
        #expect(batch.nodes == single.nodes)
        #expect(batch.routingTable == single.routingTable)
        #expect(batch.routingTable == restarted.routingTable)
        #expect(batch.routingTable.count == 13)
        for node in batch.nodes { #expect(batch.distance(to: node) == restarted.distance(to: node)) }
    }
}
