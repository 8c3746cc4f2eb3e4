import CubeCore
import Testing

@Suite struct TopologyTests {
    static let now = TestNetwork.start

    /// n1 with live links to n2 and n3.
    static func local() -> Topology {
        var topology = TestNetwork.database(for: "n1")
        topology.linkUp("n2")
        topology.linkUp("n3")
        return topology
    }

    static func advert(_ origin: String, seq: UInt64, neighbours: [String] = ["n1"], issued: Int64 = now,
                       key: String? = nil) -> LinkStateAdvert {
        let key = key ?? ToyMAC.key(for: origin)
        return LinkStateAdvert(origin: origin, key: key, sequence: seq,
                               neighbours: neighbours.map { AdvertNeighbour($0) }, zenki: ["calc"], issued: issued)
            .signed(by: ToySigner(publicKey: key))
    }

    /// A node that has not linked yet (or whose every link was refused) lists itself at
    /// distance 0, as `list nodes` shows it.
    @Test func aNewDatabaseReachesThisNodeAlone() {
        let topology = TestNetwork.database(for: "n1")
        #expect(topology.reachableNodes == ["n1"])
        #expect(topology.distance(to: "n1") == 0)
        #expect(topology.nextHop(to: "n1") == nil)
    }

    @Test func acceptsANewAdvertAndFloodsItToEveryOtherLiveNeighbour() {
        var topology = Self.local()
        topology.linkUp("n4")
        let decision = topology.accept(Self.advert("n2", seq: 1), from: "n2", now: Self.now)
        #expect(decision == .accepted(forwardTo: ["n3", "n4"]))
        #expect(topology.advert(of: "n2")?.sequence == 1)
        #expect(topology.nextHop(to: "n2") == "n2")
        #expect(topology.pinnedKeys == ["n2": ToyMAC.key(for: "n2")])
    }

    @Test func ignoresStaleAndReplayedAdverts() {
        var topology = Self.local()
        let first = Self.advert("n2", seq: 1)
        let second = Self.advert("n2", seq: 2, neighbours: ["n1", "n3"])
        #expect(topology.accept(second, from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
        #expect(topology.accept(second, from: "n3", now: Self.now) == .stale(known: 2))
        #expect(topology.accept(first, from: "n2", now: Self.now) == .stale(known: 2))
        #expect(topology.advert(of: "n2") == second)
    }

    @Test func refusesAReplayOfAnExpiredAdvert() {
        var topology = Self.local()
        let old = Self.advert("n2", seq: 5)
        #expect(topology.accept(old, from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
        let later = Self.now + Topology.defaultMaximumAge + 1
        #expect(topology.expire(now: later) == ["n2"])
        #expect(topology.accept(old, from: "n3", now: later) == .tooOld)
        #expect(topology.advert(of: "n2") == nil)
    }

    @Test func refusesAdvertsFromTooFarInTheFuture() {
        var topology = Self.local()
        let early = Self.advert("n2", seq: 1, issued: Self.now + Topology.defaultMaximumClockSkew + 1)
        #expect(topology.accept(early, from: "n2", now: Self.now) == .fromTheFuture)
        let skewed = Self.advert("n2", seq: 1, issued: Self.now + Topology.defaultMaximumClockSkew)
        #expect(topology.accept(skewed, from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
    }

    @Test func ignoresAnAdvertWithABadSignature() {
        var topology = Self.local()
        let genuine = Self.advert("n2", seq: 1)
        let forged = genuine.withSignature(ToyMAC.mac(key: "SOMEONEELSE", bytes: genuine.signedBytes))
        #expect(topology.accept(forged, from: "n2", now: Self.now) == .badSignature)
        let tampered = LinkStateAdvert(origin: "n2", key: genuine.key, sequence: 9, neighbours: genuine.neighbours,
                                       zenki: genuine.zenki, issued: genuine.issued, signature: genuine.signature)
        #expect(topology.accept(tampered, from: "n2", now: Self.now) == .badSignature)
        #expect(topology.accept(genuine.withSignature([]), from: "n2", now: Self.now) == .unsigned)
        #expect(topology.advert(of: "n2") == nil)
        #expect(topology.pinnedKeys.isEmpty)
        #expect(topology.accept(genuine, from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
    }

    @Test func refusesAKeyChangeForAKnownOrigin() {
        var topology = Self.local()
        let pinned = ToyMAC.key(for: "n2")
        #expect(topology.accept(Self.advert("n2", seq: 1), from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
        let impostor = Self.advert("n2", seq: 2, key: ToyMAC.key(for: "mallory"))
        #expect(topology.accept(impostor, from: "n3", now: Self.now) == .keyChanged(pinned: pinned))
        #expect(topology.advert(of: "n2")?.sequence == 1)
        // The pin outlives the record: an expired origin must return with the same key.
        let later = Self.now + Topology.defaultMaximumAge + 1
        topology.expire(now: later)
        #expect(topology.accept(Self.advert("n2", seq: 3, issued: later, key: ToyMAC.key(for: "mallory")), from: "n3",
                                now: later) == .keyChanged(pinned: pinned))
        topology.forget("n2")
        #expect(topology.accept(Self.advert("n2", seq: 3, issued: later, key: ToyMAC.key(for: "mallory")), from: "n3",
                                now: later) == .accepted(forwardTo: ["n2"]))
    }

    @Test func acceptsARetiredKeysAdvertsUntilTheEndOfItsGraceWithoutRepinning() {
        var topology = Self.local()
        let old = ToyMAC.key(for: "n2"), new = ToyMAC.key(for: "n2-new")
        #expect(topology.accept(Self.advert("n2", seq: 1), from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
        topology.rotate("n2", from: old, to: new, until: Self.now + 100)
        #expect(topology.pinnedKeys["n2"] == new && topology.retiredKeys[old] == RetiredKey(origin: "n2", until: Self.now + 100))
        #expect(topology.accept(Self.advert("n2", seq: 2, key: new), from: "n2", now: Self.now) == .accepted(forwardTo: ["n3"]))
        // The old key within its grace: accepted, and n2 stays pinned to the new key.
        #expect(topology.accept(Self.advert("n2", seq: 3, issued: Self.now + 99, key: old), from: "n2",
                                now: Self.now + 99) == .accepted(forwardTo: ["n3"]))
        #expect(topology.pinnedKeys["n2"] == new)
        // For another origin it is an ordinary key (pinned on first use); for n2 refused after the grace.
        #expect(topology.accept(Self.advert("n3", seq: 1, key: old), from: "n3", now: Self.now) == .accepted(forwardTo: ["n2"]))
        #expect(topology.pinnedKeys["n3"] == old)
        #expect(topology.accept(Self.advert("n2", seq: 4, issued: Self.now + 100, key: old), from: "n2",
                                now: Self.now + 100) == .keyChanged(pinned: new))
        #expect(topology.accept(Self.advert("n2", seq: 5, issued: Self.now + 100, key: new), from: "n2",
                                now: Self.now + 100) == .accepted(forwardTo: ["n3"]))
        topology.forget("n2")
        #expect(topology.retiredKeys.isEmpty)
    }

    @Test func dropsAdvertsAboutTheLocalNodeFromOthers() {
        var topology = Self.local()
        let own = Self.advert("n1", seq: 40, neighbours: ["n2"])
        #expect(topology.accept(own, from: "n2", now: Self.now) == .aboutLocalNode(sequence: 40))
        let forged = Self.advert("n1", seq: 41, neighbours: ["n2"], key: ToyMAC.key(for: "mallory"))
        #expect(topology.accept(forged, from: "n2", now: Self.now) == .forgedLocalNode)
        #expect(topology.advert(of: "n1") == nil)
    }

    /// This node's own published advert come back (by another path, or echoed by a
    /// neighbour) changes nothing: only a newer one of an earlier run makes it publish above
    /// (an echoing neighbour drew thousands of new adverts a second before).
    @Test func itsOwnAdvertComingBackIsStale() {
        var topology = Self.local()
        let own = Self.advert("n1", seq: 40, neighbours: ["n2"])
        #expect(topology.publish(own) != nil)
        #expect(topology.accept(own, from: "n2", now: Self.now) == .stale(known: 40))
        #expect(topology.accept(Self.advert("n1", seq: 39, neighbours: ["n2"]), from: "n2", now: Self.now)
                    == .stale(known: 40))
        #expect(topology.accept(Self.advert("n1", seq: 41, neighbours: ["n2"]), from: "n2", now: Self.now)
                    == .aboutLocalNode(sequence: 41))
        #expect(topology.accept(Self.advert("n1", seq: 42, neighbours: ["n2"], key: ToyMAC.key(for: "mallory")),
                                from: "n2", now: Self.now) == .forgedLocalNode)
    }

    @Test func refusesMalformedAdverts() {
        var topology = Self.local()
        let selfLoop = Self.advert("n2", seq: 1, neighbours: ["n1", "n2"])
        #expect(topology.accept(selfLoop, from: "n2", now: Self.now) == .malformed)
        let badKey = Self.advert("n2", seq: 1, key: "not base32")
        #expect(topology.accept(badKey, from: "n2", now: Self.now) == .malformed)
    }

    @Test func buildsTheLocalAdvertFromLiveLinks() {
        var topology = Self.local()
        topology.linkUp("n9", cost: 5)
        topology.linkDown("n3")
        let offer = AdvertOffer(id: 3, kind: "storage", capacity: 1000, available: 400)
        let advert = topology.localAdvert(seq: 7, zenki: ["zz", "calc", "calc"], offers: [offer], now: Self.now)
        #expect(advert.origin == "n1")
        #expect(advert.key == ToyMAC.key(for: "n1"))
        #expect(advert.neighbours == [AdvertNeighbour("n2"), AdvertNeighbour("n9", cost: 5)])
        #expect(advert.zenki == ["calc", "zz"])
        #expect(advert.offers == [offer])
        #expect(advert.signature.isEmpty)
        #expect(advert.isWellFormed)
    }

    @Test func publishesOnlyItsOwnNewerAdverts() {
        var topology = Self.local()
        let signer = ToySigner(publicKey: topology.localKey)
        let first = topology.localAdvert(seq: 2, zenki: [], offers: [], now: Self.now).signed(by: signer)
        #expect(topology.publish(first) == ["n2", "n3"])
        #expect(topology.publish(first) == nil)
        #expect(topology.publish(Self.advert("n2", seq: 9)) == nil)
        #expect(topology.advert(of: "n1") == first)
        #expect(topology.linkUp("n4") == [first])
    }
}
