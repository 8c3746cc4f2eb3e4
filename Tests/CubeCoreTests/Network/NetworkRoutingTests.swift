import CubeCore
import Testing

/// The router's network behaviour (docs/protocol.md §8.3, docs/network.md), on routers joined in memory.
@Suite struct NetworkRoutingTests {
    /// n1 — n2 — n3 with a zenka `calc` on n3 and a client on n1.
    private func line(extra: [String] = []) throws -> (SimulatedNetwork, client: SessionID, calc: SessionID) {
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name, extra: extra) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        let calc = net.connect("calc", at: "n3", kind: .zenka)
        let client = net.connect("alice", at: "n1")
        net.tick(seconds: 1)  // n3 re-advertises with its new zenka
        return (net, client, calc)
    }

    @Test func floodingGivesEveryNodeTheWholeGraph() throws {
        let (net, _, _) = try line()
        for name in ["n1", "n2", "n3"] {
            #expect(net.routers[name]?.topology?.reachableNodes == ["n1", "n2", "n3"], "\(name)")
        }
        #expect(net.routers["n1"]?.topology?.nextHop(to: "n3") == "n2")
        #expect(net.routers["n1"]?.topology?.advert(of: "n3")?.zenki == ["calc"])
    }

    @Test func forwardsUnchangedBehindAHopElementAndRelaysTheReply() throws {
        var (net, client, calc) = try line()
        net.send("(5)n3.calc.add 1 2\n", from: client, at: "n1")
        let atCalc = net.take(calc, at: "n3")
        let tid = try #require(atCalc.firstMatch(of: /^\((\d+)\)add 1 2\n$/)).1
        // Each node spent one hop: n1 sent 32, n2 sent 31 (exact bytes on the links).
        let onLinks = net.traffic.values.map { String(decoding: $0, as: UTF8.self) }
        #expect(onLinks.contains { $0.contains(")_h32.n3.calc.add 1 2\n") })
        #expect(onLinks.contains { $0.contains(")_h31.n3.calc.add 1 2\n") })
        net.send("(\(tid))TRUE 3\n", from: calc, at: "n3")
        #expect(net.take(client, at: "n1") == "(5)TRUE 3\n")
    }

    @Test func ownNodeNameIsStrippedAndRemoteLocalCommandsAnswer() throws {
        var (net, client, _) = try line()
        net.send("(1)n1.heart\n(2)n3.name\n(3)n2.n3.name\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(1)TRUE beating\n(2)TRUE n3\n(3)TRUE n3\n")
    }

    @Test func aHeartIsTimedOnceByTheNodeWhereItEntered() throws {
        var (net, client, calc) = try line()
        net.send("(1)n3.heart\n(2)n3.calc.heart\n(3)n3.heart notime\n", from: client, at: "n1")
        let atCalc = net.take(calc, at: "n3")
        let tid = try #require(atCalc.firstMatch(of: /^\((\d+)\)heart\n$/)).1
        net.send("(\(tid))TRUE beating\n", from: calc, at: "n3")
        let replies = net.take(client, at: "n1")
        // Simulated time stands still: 0 s, but the annotation appears exactly once.
        #expect(replies == "(1)TRUE beating [ 0.00000 secs ]\n(3)TRUE beating\n(2)TRUE beating [ 0.00000 secs ]\n")
    }

    /// A node named like one of this node's own participants does not get its commands:
    /// local names win (docs/network.md "Routing"). Before, a node called `calc` received
    /// `calc.add` from every node that had its own `calc`, and its forged answers were printed.
    @Test func aNodeNamedLikeALocalZenkaDoesNotGetItsCommands() throws {
        var net = SimulatedNetwork()
        for name in ["n1", "calc"] { try net.add(name) }
        net.link("n1", "calc")
        let local = net.connect("calc", at: "n1", kind: .zenka)
        let client = net.connect("alice", at: "n1")
        net.tick(seconds: 1)
        #expect(net.routers["n1"]?.topology?.reachableNodes == ["calc", "n1"])
        net.send("(1)calc.add 1 2\n(2)n1.calc.add 3 4\n", from: client, at: "n1")
        let atLocal = net.take(local, at: "n1")
        #expect(atLocal.contains(")add 1 2\n") && atLocal.contains(")add 3 4\n"), "\(atLocal)")
        let onLinks = net.traffic.values.map { String(decoding: $0, as: UTF8.self) }
        #expect(!onLinks.contains { $0.contains("calc.add") }, "\(onLinks)")
        // The node itself is still reached where no local participant has its name.
        net.disconnect(local, at: "n1")
        _ = net.take(client, at: "n1")  // (1) and (2) ended with their zenka
        net.send("(3)calc.name\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(3)TRUE calc\n")
    }

    @Test func unknownNodeAndSpentHopsAreRefused() throws {
        var (net, client, _) = try line()
        net.send("(1)n9.heart\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(1)FALSE client not present\n")
        // A path arriving with no hops left must not go further.
        let link = try #require(net.routers["n2"]?.linkSessions["n1"]?.first)
        net.inject(Array("(77)_h0.n3.heart\n".utf8), on: link, at: "n2")
        let back = net.traffic[.init(node: "n2", session: link)].map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(back.hasSuffix("(77)FALSE hop limit exceeded\n"))
    }

    @Test func aDeadLinkCollapsesItsRoutesAndTrafficTakesTheOtherWay() throws {
        var (net, client, calc) = try line()
        let (spareA, _) = net.link("n1", "n3")  // the chord: n1 now reaches n3 directly
        net.tick(seconds: 1)
        #expect(net.routers["n1"]?.topology?.nextHop(to: "n3") == "n3")
        net.send("(8)n3.calc.slow\n", from: client, at: "n1")
        _ = net.take(calc, at: "n3")
        net.cut("n1", spareA)
        #expect(net.take(client, at: "n1") == "(8)FALSE command route collapsed\n")
        #expect(net.routers["n1"]?.topology?.nextHop(to: "n3") == "n2")
        net.send("(9)n3.name\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(9)TRUE n3\n")
    }

    @Test func forgedAndUnsignedAdvertsAreDropped() throws {
        var (net, _, _) = try line()
        let link = try #require(net.routers["n2"]?.linkSessions["n1"]?.first)
        let forged = LinkStateAdvert(origin: "evil", key: ToyMAC.key(for: "evil"), sequence: 1, issued: net.now.wall,
                                     signature: [1, 2, 3, 4, 5, 6, 7, 8])
        let unsigned = LinkStateAdvert(origin: "evil2", key: ToyMAC.key(for: "evil2"), sequence: 1, issued: net.now.wall)
        for advert in [forged, unsigned] {
            let lines = advert.render().split(separator: 10).map { String(decoding: $0, as: UTF8.self) + "\n" }.joined()
            net.inject(Array("advert+\n\n\(lines).\n".utf8), on: link, at: "n2")
        }
        #expect(net.routers["n2"]?.topology?.nodes == ["n1", "n2", "n3"])
        let rejected = net.events["n2", default: []].filter { if case .advertRejected = $0 { true } else { false } }
        #expect(rejected.map(\.description) == ["advert-rejected evil from n1 badSignature",
                                                  "advert-rejected evil2 from n1 unsigned"])
    }

    /// A neighbour's flood of refused records is reported 20 times per 10 s; the first report
    /// after that says how many were not (each was a log line: 50,000 malformed adverts wrote
    /// 4.4 MB of log).
    @Test func refusedRecordsFromANeighbourAreReportedAFewTimesAWindow() throws {
        var (net, _, _) = try line()
        let link = try #require(net.routers["n2"]?.linkSessions["n1"]?.first)
        let rejected = { net.events["n2", default: []].filter { if case .advertRejected = $0 { true } else { false } } }
        for _ in 0..<50 { net.inject(Array("advert+\n\n.\n".utf8), on: link, at: "n2") }
        #expect(rejected().count == 20)
        net.tick(seconds: 11)
        net.inject(Array("advert+\n\n.\n".utf8), on: link, at: "n2")
        #expect(rejected().count == 21)
        #expect(rejected().last?.description == "advert-rejected - from n1 malformed (30 more from n1 not logged before this)")
    }

    /// Revocations arriving on a link count only when a node of the network signed them:
    /// entries signed by throwaway keys filled the list from one neighbour, and no key could
    /// be revoked any more (a hostile tester's finding).
    @Test func revocationsSignedByNoNodesKeyAreDropped() throws {
        // Signatures of the real length: revocation lines are parsed strictly.
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name, wideSignatures: true) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        net.tick(seconds: 1)
        let link = try #require(net.routers["n2"]?.linkSessions["n1"]?.first)
        let throwaway = Revocation.issue(target: "key:" + ToyMAC.key(for: "victim"), issued: net.now.wall,
                                         by: WideToySigner(publicKey: ToyMAC.key(for: "throwaway")))
        let byNode = Revocation.issue(target: "key:" + ToyMAC.key(for: "stolen"), issued: net.now.wall,
                                      by: WideToySigner(publicKey: ToyMAC.key(for: "n1")))
        net.inject(Array("revocations+\n\n\(throwaway.text)\n\(byNode.text)\n.\n".utf8), on: link, at: "n2")
        let admin = net.connect("root", at: "n2")
        net.send("(1)revocations\n", from: admin, at: "n2")
        let known = net.take(admin, at: "n2")
        #expect(known.contains("key:" + ToyMAC.key(for: "stolen")), "\(known)")
        #expect(!known.contains("key:" + ToyMAC.key(for: "victim")), "\(known)")
        let rejected = net.events["n2", default: []].filter { if case .advertRejected = $0 { true } else { false } }
        #expect(rejected.map(\.description) == ["advert-rejected - from n1 revocation signed by no node's key"])
        // And it went on to n3, the one signed by a node.
        let admin3 = net.connect("root", at: "n3")
        net.send("(1)revocations\n", from: admin3, at: "n3")
        #expect(net.take(admin3, at: "n3").contains("key:" + ToyMAC.key(for: "stolen")))
    }

    @Test func linkAccessRulesApplyToCommandsArrivingOnLinks() throws {
        var (net, client, _) = try line(extra: ["network.link-access = heart name *.heart"])
        net.send("(1)n3.calc.add 1 2\n(2)n3.name\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1")
            == "(1)FALSE command not known or no permission for 'calc.add'\n(2)TRUE n3\n")
    }

    @Test func silentLinksAreClosedAndKeepAlivesKeepLiveOnesOpen() throws {
        var (net, _, _) = try line(extra: ["network.link-timeout = 3"])
        net.tick(seconds: 1)
        net.tick(seconds: 1)
        net.tick(seconds: 1)
        #expect(net.routers["n1"]?.isLinked(to: "n2") == true, "keep-alives flow every second")
        // Silence n2 → n1: sever delivery but leave n1's session in place.
        let link = try #require(net.routers["n1"]?.linkSessions["n2"]?.first)
        let other = try #require(net.wires[.init(node: "n1", session: link)])
        net.wires[.init(node: "n1", session: link)] = nil
        net.wires[other] = nil
        for _ in 0..<5 { net.tick(seconds: 1) }
        #expect(net.routers["n1"]?.isLinked(to: "n2") == false)
        #expect(net.routers["n1"]?.topology?.reachableNodes == ["n1"])
    }

    @Test func remoteOffersAreListedAndAcquiredOnTheirNode() throws {
        var (net, client, _) = try line()
        let provider = net.connect("store", at: "n3", kind: .zenka)
        net.send("(1)offer storage 1000\n", from: provider, at: "n3")
        _ = net.take(provider, at: "n3")
        net.tick(seconds: 1)
        net.send("(2)offers\n", from: client, at: "n1")
        let table = net.take(client, at: "n1")
        #expect(table.contains("n3:1 "), "\(table)")
        net.send("(3)acquire n3:1 100 60\n", from: client, at: "n1")
        let request = net.take(provider, at: "n3")
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request (\d+) n2 100 60\n$/)).1
        net.send("(\(tid))TRUE granted\n", from: provider, at: "n3")
        #expect(net.take(client, at: "n1").hasPrefix("(3)TRUE"))
    }
}

/// `unlink` lasts on the side that did not dial, until `link` lifts it.
@Suite struct UnlinkTests {
    @Test func anUnlinkedNodeCannotLinkBackUntilLinkedAgain() throws {
        var net = SimulatedNetwork()
        try net.add("n1")
        try net.add("n2")
        net.link("n1", "n2")
        let admin = net.connect("root", at: "n2")
        net.send("(1)unlink n1\n", from: admin, at: "n2")
        #expect(net.take(admin, at: "n2") == "(1)TRUE unlinked n1 [ 1 link(s) closed ]\n")
        #expect(net.routers["n2"]?.isLinked(to: "n1") == false)
        // n1 dials again: refused on n2.
        let (again, _) = net.routers["n2"]?.linkConnected(node: "n1", address: try peer("tcp:n1:1"), now: net.now) ?? (nil, [])
        #expect(again == nil)
        net.send("(2)link n1\n(3)link n1\n", from: admin, at: "n2")
        #expect(net.take(admin, at: "n2")
            == "(2)TRUE accepting links from n1 again\n(3)FALSE usage: link tcp:<host>:<port> | link <unlinked node>\n")
        net.link("n1", "n2")
        #expect(net.routers["n2"]?.isLinked(to: "n1") == true)
    }

    @Test func aMalformedPeerAddressIsAUsageErrorNotACrash() throws {
        var net = SimulatedNetwork()
        try net.add("n1")
        let admin = net.connect("root", at: "n1")
        net.send("(1)link tcp:80\n", from: admin, at: "n1")
        #expect(net.take(admin, at: "n1") == "(1)FALSE usage: link tcp:<host>:<port> | link <unlinked node>\n")
    }
}
