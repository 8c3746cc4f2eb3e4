import CubeCore
import Testing

/// What other nodes' adverts may hold of a node (docs/network.md "Limits"): a hostile trusted
/// node invented 200 nodes of 100 KB adverts and every cube kept them (80 → 158 MB each).
@Suite struct TopologyLimitsTests {
    static let now = TestNetwork.start

    static func database(_ limits: TopologyLimits, listed: [String] = []) -> Topology {
        var topology = Topology(localNode: "n1", localKey: ToyMAC.key(for: "n1"), verifier: ToyVerifier(),
                                pinnedKeys: Dictionary(uniqueKeysWithValues: listed.map { ($0, ToyMAC.key(for: $0)) }),
                                limits: limits)
        topology.linkUp("n2")
        return topology
    }

    static func advert(_ origin: String, seq: UInt64 = 1, zenki: Int = 1, issued: Int64 = now) -> LinkStateAdvert {
        let key = ToyMAC.key(for: origin)
        return LinkStateAdvert(origin: origin, key: key, sequence: seq, neighbours: [AdvertNeighbour("n2")],
                               zenki: (0..<zenki).map { "z\($0)" }, issued: issued)
            .signed(by: ToySigner(publicKey: key))
    }

    @Test func textBytesIsAtLeastTheRenderedText() {
        let offer = AdvertOffer(id: UInt64.max, kind: "storage", capacity: UInt64.max, available: UInt64.max,
                                attributes: ["price=2", "region=eu"])
        let adverts = [
            Self.advert("x1"),
            Self.advert("x2", seq: UInt64.max, zenki: 300),
            LinkStateAdvert(origin: "x3", key: ToyMAC.key(for: "x3"), sequence: 9, neighbours: [AdvertNeighbour("n2", cost: UInt32.max)],
                            offers: [offer], loads: [AdvertLoad(name: "calc", instances: UInt32.max, outstanding: UInt32.max)],
                            issued: Int64.max).signed(by: WideToySigner(publicKey: ToyMAC.key(for: "x3"))),
        ]
        for advert in adverts { #expect(advert.textBytes >= advert.render().count) }
        // Close to it, not a wild overestimate.
        #expect(adverts[1].textBytes <= adverts[1].render().count + 100)
    }

    @Test func aNewNodePastTheNodeLimitIsRefused() {
        var topology = Self.database(TopologyLimits(nodes: 3, databaseBytes: 1 << 20, acceptsUnlisted: true))
        for name in ["a1", "a2", "a3"] { #expect(topology.accept(Self.advert(name), from: "n2", now: Self.now) == .accepted(forwardTo: [])) }
        #expect(topology.accept(Self.advert("a4"), from: "n2", now: Self.now) == .databaseFull)
        #expect(topology.advert(of: "a4") == nil)
        // A node held may still refresh.
        #expect(topology.accept(Self.advert("a2", seq: 2), from: "n2", now: Self.now) == .accepted(forwardTo: []))
        // Once one expires, there is room again.
        let later = Self.now + Topology.defaultMaximumAge + 1
        #expect(topology.expire(now: later) == ["a1", "a2", "a3"])
        #expect(topology.databaseBytes == 0)
    }

    @Test func theDatabaseBytesAreBoundedAndCountedBothWays() {
        let big = Self.advert("b1", zenki: 1000)
        var topology = Self.database(TopologyLimits(nodes: 100, databaseBytes: big.textBytes * 2 + 500, acceptsUnlisted: true))
        #expect(topology.accept(big, from: "n2", now: Self.now) == .accepted(forwardTo: []))
        #expect(topology.accept(Self.advert("b2", zenki: 1000), from: "n2", now: Self.now) == .accepted(forwardTo: []))
        #expect(topology.accept(Self.advert("b3", zenki: 1000), from: "n2", now: Self.now) == .databaseFull)
        #expect(topology.databaseBytes == big.textBytes + Self.advert("b2", zenki: 1000).textBytes)
        // A refresh that grows past the limit is refused too; one that shrinks frees room.
        #expect(topology.accept(Self.advert("b1", seq: 2, zenki: 1100), from: "n2", now: Self.now) == .databaseFull)
        #expect(topology.accept(Self.advert("b1", seq: 3, zenki: 1), from: "n2", now: Self.now) == .accepted(forwardTo: []))
        #expect(topology.accept(Self.advert("b3", zenki: 1000), from: "n2", now: Self.now) == .accepted(forwardTo: []))
        topology.forget("b3")
        #expect(topology.databaseBytes == Self.advert("b1", seq: 3).textBytes + Self.advert("b2", zenki: 1000).textBytes)
    }

    @Test func unlistedNodesCanBeRefused() {
        var topology = Self.database(TopologyLimits(nodes: 100, databaseBytes: 1 << 20, acceptsUnlisted: false), listed: ["n2", "n3"])
        #expect(topology.accept(Self.advert("n3"), from: "n2", now: Self.now) == .accepted(forwardTo: []))
        #expect(topology.accept(Self.advert("made-up"), from: "n2", now: Self.now) == .unlisted)
        #expect(topology.pinnedKeys["made-up"] == nil)
    }

    /// Every name ever seen stayed pinned; now pins of nodes neither held nor listed make room
    /// for new ones past twice the node limit.
    @Test func pinsAreBoundedWithoutDroppingListedOrHeldOnes() {
        var topology = Self.database(TopologyLimits(nodes: 2, databaseBytes: 1 << 20, acceptsUnlisted: true), listed: ["n9"])
        var later = Self.now
        for round in 0..<5 {
            for index in 0..<2 {
                #expect(topology.accept(Self.advert("r\(round)-\(index)", issued: later), from: "n2", now: later) == .accepted(forwardTo: []))
            }
            later += Topology.defaultMaximumAge + 1
            _ = topology.expire(now: later)
        }
        #expect(topology.pinnedKeys.count <= 2 * 2)
        #expect(topology.pinnedKeys["n9"] != nil)
    }
}
