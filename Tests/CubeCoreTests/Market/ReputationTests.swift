@testable import CubeCore
import Testing

/// Provider reputation (docs/market.md "Reputation"): the pure counters and uptime, what the
/// market counts, what survives a restart, and that a provider whose leases end early ranks
/// below an honest one, here and across the network.
@Suite struct ReputationTests {
    @Test func countersUptimeScoreAndAttributes() {
        var record = Reputation(firstSeen: 1000)
        #expect(record.uptime(at: 1000) == 100 && record.attributes(at: 1000).isEmpty)
        record.observe(online: true, wall: 1000)
        record.observe(online: false, wall: 1060)   // online 60 s
        record.observe(online: true, wall: 1090)    // offline 30 s
        #expect(record.onlineSeconds == 60 && record.uptime(at: 1090) == 66)
        #expect(record.uptime(at: 1120) == 75, "the running online span counts")
        for outcome in [Reputation.Outcome.granted, .granted, .refused, .endedEarly, .honoured] { record.record(outcome) }
        #expect(record.attributes(at: 1090) == ["granted=2", "refused=1", "ended_early=1", "honoured=1", "uptime=66"])
        #expect(Reputation.Outcome(endReason: "offer-provider-gone") == .endedEarly)
        #expect(Reputation.Outcome(endReason: "offer-withdrawn") == .endedEarly)
        for reason in ["expired", "released", "consumer-gone", "out-of-credit"] {
            #expect(Reputation.Outcome(endReason: reason) == .honoured, "\(reason)")
        }
        #expect(Reputation.Outcome(endReason: "something-else") == nil)
        #expect(Reputation.score(granted: 0, refused: 0, endedEarly: 0, honoured: 0, uptime: 100) == 0.5)
        #expect(Reputation.score(granted: 1, refused: 0, endedEarly: 1, honoured: 0, uptime: 100) == 0.25)
        #expect(Reputation.score(granted: 5, refused: 0, endedEarly: 0, honoured: 5, uptime: 50) < 0.5)
    }

    /// The market counts grants, refusals, early ends and honoured ends against the providing
    /// user; the store's records bring them back offline after a restart.
    @Test func theMarketCountsAndARestartKeepsTheCounts() throws {
        var market = Market()
        market.journaling = true
        let offer = market.add(kind: "storage", capacity: 100, attributes: [], requirement: nil, provider: 1,
                               providerUser: "store", created: 1000)
        func lease(_ amount: UInt64) throws -> Lease {
            try market.request(offer: offer.id, amount: amount, ttl: 60, consumer: 2, consumerUser: "u", consumerNode: "n1",
                               providerPresent: true, now: 0).get()
        }
        let honoured = try lease(10)
        _ = market.grant(honoured.id, now: 0, wall: 1000)
        let refused = try lease(10)
        _ = market.refuse(refused.id)
        _ = market.end(honoured.id, reason: "released")
        let early = try lease(10)
        _ = market.grant(early.id, now: 0, wall: 1000)
        market.observeProviders(wall: 1030)
        _ = market.providerLeft(1)
        market.observeProviders(wall: 1060)
        let record = try #require(market.reputations["store"])
        #expect(record.granted == 2 && record.refused == 1 && record.honoured == 1 && record.endedEarly == 1)
        #expect(record.onlineSeconds == 60 && record.uptime(at: 1060) == 100, "online until observed offline")
        #expect(market.reputationAttributes(of: "store") == ["granted=2", "refused=1", "ended_early=1", "honoured=1"])

        let changes = market.takeChanges(now: Timestamp(monotonic: 0, wall: 1060))
        #expect(changes.contains(.reputation("store", record)))
        var snapshot = MarketSnapshot()
        snapshot.reputations["store"] = record
        var restored = Market.restored(snapshot, now: Timestamp(monotonic: 0, wall: 1120), grace: 60)
        #expect(restored.reputations["store"]?.endedEarly == 1 && restored.reputations["store"]?.online == false)
        restored.observeProviders(wall: 1120)
        #expect(restored.reputations["store"]?.uptime(at: 1120) == 50, "down while the cube was down")
    }

    /// Two providers with equal price: the one whose leases ended early (it took a lease and
    /// disappeared) ranks below the honest one, in the default rank and in `rank reputation`.
    @Test func aProviderWhoseLeasesEndEarlyRanksBelowAnHonestOne() throws {
        var market = Market()
        let flaky = market.add(kind: "storage", capacity: 100, attributes: ["region=eu"], requirement: nil, provider: 1,
                               providerUser: "flaky", created: 0)
        _ = market.add(kind: "storage", capacity: 100, attributes: ["region=eu"], requirement: nil, provider: 2,
                       providerUser: "honest", created: 0)
        func candidates() -> [MarketCandidate] {
            market.allOffers.map { offer in
                MarketCandidate(node: "n1", offer: offer.id, kind: offer.kind, capacity: offer.capacity, available: offer.available,
                                attributes: market.reputationAttributes(of: offer.providerUser) + offer.attributes,
                                distance: 0, provider: offer.providerUser)
            }
        }
        // Before anything happened, the lower offer id wins the tie.
        #expect(Matchmaker.best(candidates(), kind: "storage", amount: 1, requirement: nil, rank: nil)?.provider == "flaky")
        let lease = try market.request(offer: flaky.id, amount: 10, ttl: 60, consumer: 3, consumerUser: "u", consumerNode: "n1",
                                       providerPresent: true, now: 0).get()
        _ = market.grant(lease.id, now: 0)
        _ = market.providerLeft(1)   // takes the lease and disappears
        _ = market.add(kind: "storage", capacity: 100, attributes: ["region=eu"], requirement: nil, provider: 4,
                       providerUser: "flaky", created: 0)
        let picked = Matchmaker.best(candidates(), kind: "storage", amount: 1, requirement: nil, rank: nil)
        #expect(picked?.provider == "honest", "\(candidates())")
        let byReputation = try ExpressionParser.parse("reputation").get()
        #expect(Matchmaker.best(candidates(), kind: "storage", amount: 1, requirement: nil, rank: byReputation)?.provider == "honest")
        let honestOnly = try ExpressionParser.parse("ended_early == 0").get()
        #expect(Matchmaker.best(candidates(), kind: "storage", amount: 1, requirement: honestOnly, rank: nil)?.provider == "honest")
    }

    /// Across the network: n2's provider takes a lease and disappears; its next offer's advert
    /// carries `ended_early=1`, and n1's matchmaking picks n3's honest offer, though n2 would
    /// win the tie by name.
    @Test func advertsCarryReputationAndTheFlakyNodeRanksLower() throws {
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name) }
        net.link("n1", "n2")
        net.link("n1", "n3")
        var providers: [String: SessionID] = [:]
        for node in ["n2", "n3"] {
            let provider = net.connect("store", at: node, kind: .zenka)
            net.send("(1)offer storage 1000\n", from: provider, at: node)
            #expect(net.take(provider, at: node) == "(1)TRUE offer 1\n")
            providers[node] = provider
        }
        // A reserved name is the node's to state, not the provider's.
        let liar = net.connect("liar", at: "n3", kind: .zenka)
        net.send("(1)offer storage 10 honoured=1000\n", from: liar, at: "n3")
        #expect(net.take(liar, at: "n3") == "(1)FALSE invalid attribute 'honoured=1000' [ reserved for reputation ]\n")
        let client = net.connect("alice", at: "n1")
        net.tick(seconds: 1)
        net.send("(2)acquire storage 100 60\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(2)WAIT matched offer n2:1\n", "equal so far: n2 by name")
        let n2 = try #require(providers["n2"])
        let request = net.take(n2, at: "n2")
        let tid = try #require(request.firstMatch(of: /^\((\d+)\)lease-request 1 n1 100 60\n$/)).1
        net.send("(\(tid))TRUE\n", from: n2, at: "n2")
        #expect(net.take(client, at: "n1") == "(2)TRUE lease 1 offer 1 amount 100 ttl 60\n")
        // n2's provider disappears with the lease, then offers again.
        net.disconnect(n2, at: "n2")
        let back = net.connect("store", at: "n2", kind: .zenka)
        net.send("(3)offer storage 1000\n", from: back, at: "n2")
        #expect(net.take(back, at: "n2") == "(3)TRUE offer 2\n")
        net.tick(seconds: 1)
        net.send("(4)offers storage\n", from: client, at: "n1")
        let table = net.take(client, at: "n1")
        let row = table.split(separator: "\n").first { $0.hasPrefix("n2:2 ") }.map { $0.split(separator: " ").map(String.init) }
        #expect(row == ["n2:2", "storage", "n2", "1000", "1000", "granted=1", "ended_early=1"], "\(table)")
        net.send("(5)acquire storage 100 60\n", from: client, at: "n1")
        #expect(net.take(client, at: "n1") == "(5)WAIT matched offer n3:1\n")
    }
}

/// `leases/<id>/usage` (docs/market.md "The market as files"): the consumer's charges for one
/// lease, and what accrued since the last.
@Suite struct LeaseUsageTests {
    @Test func chargesSoFarAndWhatAccruedSince() throws {
        var market = Market()
        _ = market.add(kind: "compute", capacity: 10, attributes: ["price=3.6"], requirement: nil, provider: 1,
                       providerUser: "p", created: 0)
        _ = market.grant(credits: 100_000, to: "u", by: "root", wall: 0)
        let lease = try market.request(offer: 1, amount: 2, ttl: 3600, consumer: 2, consumerUser: "u", consumerNode: "n",
                                       providerPresent: true, now: 0).get()
        _ = market.grant(lease.id, now: 0, wall: 1000)
        _ = market.charge(now: Timestamp(monotonic: 0, wall: 1100))   // 100 s × 2 × 3.6/h = 0.2 credits
        _ = market.charge(now: Timestamp(monotonic: 0, wall: 1200))
        let active = try #require(market.leases[lease.id])
        let usage = LeaseUsage(of: active, ledger: market.ledger, wall: 1230)
        #expect(usage == LeaseUsage(price: 3600, charges: 2, charged: 400, sinceCharge: 30, accrued: 60), "\(usage)")
        var free = active
        free.price = 0
        #expect(LeaseUsage(of: free, ledger: Ledger(), wall: 1230) == LeaseUsage(price: 0, charges: 0, charged: 0, sinceCharge: 0, accrued: 0))
    }
}
