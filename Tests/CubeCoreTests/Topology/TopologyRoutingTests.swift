import CubeCore
import Testing

@Suite struct TopologyRoutingTests {
    static let names = ["n1", "n2", "n3", "n4", "n5"]

    /// Ring n1–n2–n3–n4–n5–n1 plus the chord n1–n3, all costs 1; ties go to the first name.
    static let expectedNextHops: [String: [String: String]] = [
        "n1": ["n2": "n2", "n3": "n3", "n4": "n3", "n5": "n5"],
        "n2": ["n1": "n1", "n3": "n3", "n4": "n3", "n5": "n1"],
        "n3": ["n1": "n1", "n2": "n2", "n4": "n4", "n5": "n1"],
        "n4": ["n1": "n3", "n2": "n3", "n3": "n3", "n5": "n5"],
        "n5": ["n1": "n1", "n2": "n1", "n3": "n1", "n4": "n4"],
    ]

    @Test func everyNodeLearnsTheWholeRing() {
        let network = TestNetwork.ringWithChord()
        for name in Self.names {
            #expect(network[name].nodes == Self.names)
            #expect(network[name].reachableNodes == Self.names)
        }
    }

    @Test(arguments: names)
    func computesShortestNextHopsFromEveryNode(node: String) {
        let network = TestNetwork.ringWithChord()
        #expect(network[node].routingTable == Self.expectedNextHops[node])
        for (destination, hop) in Self.expectedNextHops[node] ?? [:] {
            #expect(network[node].nextHop(to: destination) == hop)
        }
        #expect(network[node].nextHop(to: node) == nil)
        #expect(network[node].route(to: node) == [node])
        #expect(network[node].distance(to: node) == 0)
    }

    @Test func computesShortestRoutesAndDistances() {
        let network = TestNetwork.ringWithChord()
        #expect(network["n2"].route(to: "n4") == ["n2", "n3", "n4"])
        #expect(network["n2"].route(to: "n5") == ["n2", "n1", "n5"])
        #expect(network["n4"].route(to: "n1") == ["n4", "n3", "n1"])
        #expect(network["n5"].route(to: "n3") == ["n5", "n1", "n3"])
        #expect(network["n1"].distance(to: "n4") == 2)
        #expect(network["n3"].distance(to: "n5") == 2)
    }

    @Test func routesAgreeWithHopByHopForwarding() {
        let network = TestNetwork.ringWithChord()
        for source in Self.names {
            for destination in Self.names {
                let route = network[source].route(to: destination)
                #expect(route == Self.forwardedPath(in: network, from: source, to: destination))
            }
        }
    }

    @Test func reroutesOverTheRedundantPathWhenALinkGoesDown() {
        var network = TestNetwork.ringWithChord()
        network.disconnect("n3", "n4")
        #expect(network["n4"].route(to: "n1") == ["n4", "n5", "n1"])
        #expect(network["n4"].route(to: "n2") == ["n4", "n5", "n1", "n2"])
        #expect(network["n2"].route(to: "n4") == ["n2", "n1", "n5", "n4"])
        #expect(network["n3"].nextHop(to: "n4") == "n1")
        network.connect("n3", "n4")
        #expect(network["n4"].route(to: "n1") == ["n4", "n3", "n1"])
    }

    @Test func usesALinkOnlyWhenBothEndsAdvertiseIt() {
        var network = TestNetwork.ringWithChord()
        // n4 drops its link to n3 and says so; n3 has not noticed yet and still advertises it.
        network.linkDownOnOneSide("n4", "n3")
        #expect(network["n3"].links["n4"] != nil)
        #expect(network["n3"].nextHop(to: "n4") == "n1")
        #expect(network["n1"].route(to: "n4") == ["n1", "n5", "n4"])
    }

    @Test func aDeadNodeBecomesUnreachableAtOnceAndExpiresLater() {
        var network = TestNetwork.ringWithChord()
        network.kill("n1")
        for name in ["n2", "n3", "n4", "n5"] {
            #expect(network[name].nodes.contains("n1"))
            #expect(network[name].nextHop(to: "n1") == nil)
            #expect(network[name].route(to: "n1") == nil)
        }
        #expect(network["n5"].route(to: "n2") == ["n5", "n4", "n3", "n2"])
        network.advance(by: Topology.defaultMaximumAge / 2)
        #expect(network["n2"].nodes.contains("n1"))
        network.advance(by: Topology.defaultMaximumAge / 2 + 1)
        for name in ["n2", "n3", "n4", "n5"] {
            #expect(network[name].nodes == ["n2", "n3", "n4", "n5"])
            #expect(network[name].advert(of: "n1") == nil)
        }
    }

    @Test func aRestartedNodeRejoins() {
        var network = TestNetwork.ringWithChord()
        network.kill("n1")
        network.advance(by: Topology.defaultMaximumAge + 1)
        network.revive("n1")
        for (a, b) in [("n1", "n2"), ("n5", "n1"), ("n1", "n3")] { network.connect(a, b) }
        #expect(network["n4"].route(to: "n1") == ["n4", "n3", "n1"])
        #expect(network["n1"].routingTable == Self.expectedNextHops["n1"])
    }

    @Test func aPartitionSplitsTheGraphAndHealingJoinsIt() {
        var network = TestNetwork.ringWithChord()
        network.disconnect("n3", "n4")
        network.disconnect("n5", "n1")
        for (side, other) in [(["n1", "n2", "n3"], ["n4", "n5"]), (["n4", "n5"], ["n1", "n2", "n3"])] {
            for name in side {
                #expect(network[name].reachableNodes == side)
                for far in other { #expect(network[name].nextHop(to: far) == nil) }
            }
        }
        network.advance(by: Topology.defaultMaximumAge + 1)
        #expect(network["n1"].nodes == ["n1", "n2", "n3"])
        #expect(network["n4"].nodes == ["n4", "n5"])
        network.connect("n3", "n4")
        for name in Self.names { #expect(network[name].reachableNodes == Self.names) }
        #expect(network["n5"].route(to: "n2") == ["n5", "n4", "n3", "n2"])
        network.connect("n5", "n1")
        #expect(network["n5"].routingTable == Self.expectedNextHops["n5"])
    }

    /// The path a message takes when every node forwards it to its own next hop.
    static func forwardedPath(in network: TestNetwork, from source: String, to destination: String) -> [String]? {
        var path = [source]
        while let last = path.last, last != destination {
            guard path.count <= Topology.maximumHops, let hop = network[last].nextHop(to: destination)
            else { return nil }
            path.append(hop)
        }
        return path
    }
}
