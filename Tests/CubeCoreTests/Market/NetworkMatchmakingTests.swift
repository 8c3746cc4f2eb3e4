import CubeCore
import Testing

/// Matchmaking across nodes (docs/market.md "Matchmaking"): offers travel in adverts with
/// their attributes, the pick is network-wide, and the providing node reserves and checks
/// its own requirement.
@Suite struct NetworkMatchmakingTests {
    /// n1 — n2 — n3, a provider on each of n1, n2 and n3, a client `alice` on n1.
    private func market() throws -> (SimulatedNetwork, client: SessionID, providers: [String: SessionID]) {
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        var providers: [String: SessionID] = [:]
        let offers = ["n1": "storage 1000 price=5 region=us", "n2": "storage 1000 price=1 region=us",
                      "n3": "storage 1000 price=1 region=eu require user == 'n2'"]
        for (node, offer) in offers.sorted(by: { $0.key < $1.key }) {
            let provider = net.connect("store", at: node, kind: .zenka)
            net.send("(1)offer \(offer)\n", from: provider, at: node)
            #expect(net.take(provider, at: node) == "(1)TRUE offer 1\n")
            providers[node] = provider
        }
        let client = net.connect("alice", at: "n1")
        // Priced offers need credit: n1 charges its client, also for n2's offer (which n1 pays
        // by usage receipts); n3 charges the link's user n2 for a lease n2 only relays.
        for (node, user) in [("n1", "alice"), ("n1", "mallory"), ("n2", "n1"), ("n3", "n2"), ("n3", "mallory")] {
            let admin = net.connect("root", at: node)
            net.send("(9)grant \(user) 10\n", from: admin, at: node)
            #expect(net.take(admin, at: node).hasPrefix("(9)TRUE granted 10.000 credits to \(user)"))
        }
        net.tick(seconds: 1)  // every node re-advertises with its offer
        return (net, client, providers)
    }

    @Test func advertsCarryAttributesAndThePickIsNetworkWide() throws {
        var (net, client, providers) = try market()
        net.send("(2)offers storage\n", from: client, at: "n1")
        let table = net.take(client, at: "n1")
        let row = table.split(separator: "\n").first { $0.hasPrefix("n3:1 ") }.map { $0.split(separator: " ").map(String.init) }
        #expect(row == ["n3:1", "storage", "n3", "1000", "1000", "price=1", "region=eu"], "\(table)")

        // Cheapest: n2 and n3 both cost 1; n2 is nearer.
        net.send("(3)acquire storage 100 60\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(3)WAIT matched offer n2:1\n")
        let n2 = try #require(providers["n2"])
        let request = net.take(n2, at: "n2")
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request 1 n1 100 60\n$/)).1
        net.send("(\(tid))TRUE\n", from: n2, at: "n2")
        // n1 asked n2 directly: n1 pays by usage receipts, so n2 names the price and the start.
        #expect(net.take(client, at: "n1") == "(3)TRUE lease 1 offer 1 amount 100 ttl 60 price 1.000 since 1767225601\n")

        // where picks n3's; n3 requires its consumer be n2 (the link user it sees is n2, the
        // last hop), so it is asked and accepts.
        net.send("(4)acquire storage 100 where region == 'eu'\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(4)WAIT matched offer n3:1\n")
        let n3 = try #require(providers["n3"])
        let asked = net.take(n3, at: "n3")
        #expect(asked.contains("lease-request 1 n2 100 3600\n"), "\(asked)")

        // rank: the most expensive, n1's own offer.
        net.send("(5)acquire storage 100 rank price\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(5)WAIT matched offer 1\n")
        #expect(net.take(try #require(providers["n1"]), at: "n1").contains("lease-request 1 alice 100 3600\n"))
    }

    @Test func aRemoteRequirementRefusesOnTheProvidingNode() throws {
        var (net, _, providers) = try market()
        // A client on n3 itself is not n2: matchmaking passes the offer over, naming it is refused.
        let local = net.connect("mallory", at: "n3")
        net.send("(6)acquire storage 10 where region == 'eu'\n", from: local, at: "n3")
        #expect(net.take(local, at: "n3") == "(6)FALSE no offer of kind 'storage' matches\n")
        net.send("(7)acquire 1 10\n", from: local, at: "n3")
        #expect(net.take(local, at: "n3") == "(7)FALSE offer 1 requires what you do not meet\n")
        #expect(net.take(try #require(providers["n3"]), at: "n3").isEmpty)
    }
}
