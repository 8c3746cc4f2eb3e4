import CubeCore
import Testing

@Suite struct TopologyFloodingTests {
    @Test func neverSendsAnAdvertBackToItsSender() {
        let network = TestNetwork.ringWithChord()
        for (node, from, decision) in network.decisions {
            if case .accepted(let forwardTo) = decision {
                #expect(!forwardTo.contains(from), "\(node) would return an advert to \(from)")
            }
        }
    }

    @Test func crossesEachLinkAtMostOncePerAdvertAndDirection() {
        var network = TestNetwork.ringWithChord()
        network.disconnect("n3", "n4")
        network.kill("n5")
        #expect(Set(network.sends).count == network.sends.count)
    }

    @Test func reachesEveryNodeAndIsAcceptedOnceEach() {
        var network = TestNetwork.ringWithChord()
        let before = network.decisions.count
        network.advertise("n2")
        network.settle()
        let fresh = network.decisions[before...]
        let accepted = fresh.filter { if case .accepted = $0.decision { true } else { false } }
        #expect(accepted.map(\.node).sorted() == ["n1", "n3", "n4", "n5"])
        // Every accepting node forwards to its links but the sender's: n1 and n3 (three links)
        // two each, n4 and n5 (two links) one each, plus n2's own two sends = 8 deliveries.
        #expect(fresh.count == 8)
        #expect(fresh.filter { if case .stale = $0.decision { true } else { false } }.count == 4)
    }
}
