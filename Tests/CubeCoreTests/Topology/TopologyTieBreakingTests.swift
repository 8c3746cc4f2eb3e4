import CubeCore
import Testing

@Suite struct TopologyTieBreakingTests {
    /// A square a–b–d–c–a: two equal paths from a to d.
    @Test(arguments: [["a", "b", "c", "d"], ["d", "c", "b", "a"], ["c", "a", "d", "b"]])
    func picksTheFirstNameAmongEqualPathsWhateverTheOrderOfEvents(order: [String]) {
        var network = TestNetwork(order)
        let links = [("a", "b"), ("b", "d"), ("d", "c"), ("c", "a")]
        for (a, b) in order.first == "a" ? links : links.reversed() { network.connect(a, b) }
        #expect(network["a"].route(to: "d") == ["a", "b", "d"])
        #expect(network["d"].route(to: "a") == ["d", "b", "a"])
        #expect(network["b"].route(to: "c") == ["b", "a", "c"])
        #expect(network["c"].route(to: "b") == ["c", "a", "b"])
    }

    @Test func prefersACheaperLongerPathAndUsesTheLargerCostOfBothEnds() {
        var network = TestNetwork(["a", "b", "c", "d"])
        network.connect("a", "b")
        network.connect("b", "c")
        network.connect("c", "d")
        network.connect("a", "d", cost: 5)
        #expect(network["a"].route(to: "d") == ["a", "b", "c", "d"])
        #expect(network["a"].distance(to: "d") == 3)
        // d alone raises its cost for the a–d link: the link costs the larger of both views.
        var lopsided = TestNetwork(["a", "b", "c", "d"])
        for (x, y) in [("a", "b"), ("b", "c"), ("c", "d")] { lopsided.connect(x, y) }
        lopsided.connectAsymmetric("a", "d", costAtA: 1, costAtD: 4)
        #expect(lopsided["a"].distance(to: "d") == 3)
        #expect(lopsided["d"].distance(to: "a") == 3)
        #expect(lopsided["a"].route(to: "d") == ["a", "b", "c", "d"])
    }
}
