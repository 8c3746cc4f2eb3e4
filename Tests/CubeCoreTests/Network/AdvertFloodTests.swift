import CubeCore
import Testing

/// A trusted node that floods adverts (a hostile second reader, docs/network.md "Limits"):
/// each new name cost a Dijkstra, 4,800 adverts 9 s of CPU on each cube, and every name was
/// kept. Now a turn of a link's adverts recomputes the routes once, and the database is bounded.
@Suite struct AdvertFloodTests {
    struct Node {
        var router: Router
        var now = Timestamp(monotonic: 1_000_000_000, wall: 1_767_225_600)
        let link: SessionID

        init(extra: String = "") throws {
            let text = "node.name = n2\naccess.cmd.usr.* = **\n" + extra
            let configuration = try CubeConfiguration.load(try ConfigFile.parse(text, file: "flood.conf"), owner: "root")
            router = Router(configuration: configuration, hasher: IdentityHasher(), secureLogin: AcceptedLinkTests.NodeProof(),
                            network: NetworkSetup(signer: ToySigner(publicKey: ToyMAC.key(for: "n2")), verifier: ToyVerifier()),
                            seed: 5, now: now)
            let (id, _) = router.connected(transport: .tcp, peer: nil, address: "192.0.2.1", now: now)
            _ = router.received(Array("select c25519\nauth n1\n".utf8), from: id, now: now)
            _ = router.received(Array("link-alive\n".utf8), from: id, now: now)
            link = id
            #expect(router.topology?.neighbours == ["n1"])
        }

        /// An advert of `origin` naming n1 as its neighbour (a graph change), as a link sends it.
        func advert(_ origin: String, seq: UInt64 = 1) -> [UInt8] {
            let key = ToyMAC.key(for: origin)
            let advert = LinkStateAdvert(origin: origin, key: key, sequence: seq, neighbours: [AdvertNeighbour("n1")],
                                         zenki: ["calc"], issued: now.wall).signed(by: ToySigner(publicKey: key))
            let lines = advert.render().split(separator: Wire.lf, omittingEmptySubsequences: false).dropLast().map(Array.init)
            return Render.multilineCommand(id: 0, path: "advert".utf8, Multiline(headers: [], body: lines))
        }
    }

    @Test func aTurnOfChangingAdvertsRecomputesTheRoutesOnce() throws {
        var node = try Node()
        let before = node.router.topology?.recomputations ?? 0
        let flood = (0..<100).flatMap { node.advert("m\($0)") }
        _ = node.router.received(flood, from: node.link, now: node.now)
        #expect(node.router.topology?.nodes.count == 101)
        let recomputed = (node.router.topology?.recomputations ?? 0) - before
        // One for the turn (a turn takes up to 256 messages), where each advert cost one.
        #expect(recomputed == 1, "recomputed \(recomputed) times for one turn")
    }

    @Test func advertsPastTheLimitAreRefusedWithOneWarningAMinute() throws {
        var node = try Node(extra: "network.max-nodes = 5\n")
        let flood = (0..<40).flatMap { node.advert("m\($0)") }
        let actions = node.router.received(flood, from: node.link, now: node.now)
        // n1 holds no advert yet: five invented names fill the database.
        #expect(node.router.topology?.nodes.count == 6)
        let warnings = actions.compactMap { action -> String? in
            if case .event(.advertRejected(_, _, let reason)) = action { return reason }
            return nil
        }
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("database full [ 5 nodes,") == true, "\(warnings)")
        #expect(node.router.stats.advertsRefusedFull == 35)
        // A minute later the next refusal is reported again, with the count.
        node.now.wall += 60
        let later = node.router.received(node.advert("late"), from: node.link, now: node.now)
        let next = later.compactMap { action -> String? in
            if case .event(.advertRejected(_, _, let reason)) = action { return reason }
            return nil
        }
        #expect(next.count == 1)
        #expect(next.first?.hasSuffix("(35 refused from n1 since the last warning)") == true, "\(next)")
    }
}
