@testable import CubeCore
import Testing

/// Prices and credits (docs/market.md "Prices and credits"): accounts, pro-rata charging per
/// minute, the warning and the end of a lease whose consumer runs out, and charges that a
/// restart neither loses nor repeats.
@Suite struct LedgerTests {
    private let second: UInt64 = 1_000_000_000

    @Test func creditsReadAndPrint() {
        #expect(Ledger.credits(1500) == "1.500" && Ledger.credits(-5) == "-0.005" && Ledger.credits(0) == "0.000")
        #expect(Ledger.millicredits("12") == 12_000 && Ledger.millicredits("0.5") == 500 && Ledger.millicredits("1.25") == 1250)
        for bad in ["", "-1", "1.2345", "x", "1.", ".5", "1e3", "1234567890123"] { #expect(Ledger.millicredits(bad) == nil, "\(bad)") }
    }

    /// A market with a priced offer (2 credits per unit per hour) of 100 units, provider `p`.
    private func market() -> Market {
        var market = Market.restored(MarketSnapshot(), now: Timestamp(monotonic: 0, wall: 0), grace: 60 * second)
        _ = market.add(kind: "compute", capacity: 100, attributes: ["price=2"], requirement: nil, provider: 1, providerUser: "p",
                       created: 0)
        return market
    }

    private func lease(_ market: inout Market, amount: UInt64, wall: Int64) throws -> Lease {
        let lease = try market.request(offer: 1, amount: amount, ttl: 3600, consumer: 2, consumerUser: "c", consumerNode: "n",
                                       providerPresent: true, now: 0).get()
        let granted = market.grant(lease.id, now: 0, wall: wall)
        return try #require(granted)
    }

    @Test func chargesProRataEachMinuteFromConsumerToProvider() throws {
        var market = market()
        #expect(market.request(offer: 1, amount: 1, ttl: 60, consumer: 2, consumerUser: "c", consumerNode: "n",
                               providerPresent: true, now: 0) == .failure(.insufficientCredit(balance: 0)))
        _ = market.grant(credits: 100_000, to: "c", by: "admin", wall: 1000)
        let lease = try lease(&market, amount: 30, wall: 1000)
        #expect(lease.price == 2000 && lease.chargedUntil == 1000)
        #expect(market.charge(now: Timestamp(monotonic: 59 * second, wall: 1059)).isEmpty)
        #expect(market.ledger.balance(of: "c") == 100_000, "nothing before a minute")
        // 90 s of 30 units at 2 credits per unit-hour: 1.5 credits.
        #expect(market.charge(now: Timestamp(monotonic: 90 * second, wall: 1090)).isEmpty)
        #expect(market.ledger.balance(of: "c") == 98_500 && market.ledger.balance(of: "p") == 1500)
        #expect(market.leases[lease.id]?.chargedUntil == 1090)
        #expect(market.ledger.recent["c"]?.map(\.note) == ["grant by admin", "lease 1 90 s"])
        // Credits are conserved: what consumers pay, providers get.
        #expect(market.ledger.balances.values.reduce(0, +) == 100_000)
    }

    @Test func aShorterChargeIntervalChargesTheSameCreditsInSmallerSteps() throws {
        var market = market()
        _ = market.grant(credits: 100_000, to: "c", by: "admin", wall: 1000)
        let lease = try lease(&market, amount: 30, wall: 1000)
        // `market.charge-interval = 5`: nothing after 4 s, then each charge covers the seconds
        // since the last one; 90 s in all cost what one 90 s charge costs (1.5 credits).
        market.chargeInterval = 5
        #expect(market.charge(now: Timestamp(monotonic: 4 * second, wall: 1004)).isEmpty)
        #expect(market.ledger.balance(of: "c") == 100_000)
        for wall in stride(from: Int64(1005), through: 1090, by: 5) {
            _ = market.charge(now: Timestamp(monotonic: UInt64(wall - 1000) * second, wall: wall))
        }
        #expect(market.leases[lease.id]?.chargedUntil == 1090)
        #expect(market.ledger.recent["c"]?.count == 1 + 18)
        #expect(market.ledger.balance(of: "c") == 98_500 && market.ledger.balance(of: "p") == 1500)
        // A cheap lease (1 credit per unit-hour, 1 unit: 0.28 millicredits a second) charged
        // every second pays its credit an hour all the same, none lost to rounding.
        let hourly = (0..<Int64(3600)).map { Market.cost(price: 1000, amount: 1, from: 1_764_000_000 + $0, to: 1_764_000_001 + $0) }
        #expect(hourly.reduce(0, +) == 1000 && hourly.allSatisfy { (0...1).contains($0) })
    }

    /// A lease is charged up to its end, less than an interval included: released at 30 s,
    /// run out after 40 s, or run out while the cube was down. Before, what was not a whole
    /// interval old at the end went uncharged: a lease shorter than `market.charge-interval`,
    /// renewed or acquired again, was free (a hostile user's finding).
    @Test func aLeaseIsChargedUpToItsEnd() throws {
        var market = market()
        _ = market.grant(credits: 100_000, to: "c", by: "admin", wall: 1000)
        // 30 units at 2 credits per unit-hour: 1/60 credit a second.
        let released = try lease(&market, amount: 30, wall: 1000)
        _ = market.end(released.id, reason: "released", charging: 1030)
        #expect(market.ledger.balance(of: "p") == 500, "30 s")
        let lasting = try market.request(offer: 1, amount: 30, ttl: 40, consumer: 2, consumerUser: "c", consumerNode: "n",
                                         providerPresent: true, now: 0).get()
        _ = market.grant(lasting.id, now: 0, wall: 1000)
        // Ran out at 40 s; the tick that ends it comes at 41 s.
        let ended = market.expire(now: 41 * second, wall: 1041)
        #expect(ended.count == 1)
        #expect(market.ledger.balance(of: "p") == 500 + Market.cost(price: 2000, amount: 30, from: 1000, to: 1040), "40 s, not 41")
        #expect(market.ledger.balances.values.reduce(0, +) == 100_000)
    }

    /// A lease that ran out while the cube was down is charged up to its end once it is back.
    @Test func aLeaseThatRanOutWhileDownIsChargedUpToItsEnd() throws {
        var market = market()
        _ = market.grant(credits: 100_000, to: "c", by: "admin", wall: 1000)
        let held = try lease(&market, amount: 30, wall: 1000)
        _ = market.charge(now: Timestamp(monotonic: 60 * second, wall: 1060))
        // Stored with 3600 s to run; the cube comes back 2 hours later.
        var stored = MarketSnapshot()
        stored.offers = [OfferRecord(id: 1, kind: "compute", capacity: 100, attributes: ["price=2"], requirement: nil,
                                     providerUser: "p", created: 0)]
        stored.leases = [LeaseRecord(id: held.id, offer: 1, consumerUser: "c", amount: 30, ttl: 3600,
                                     expiresWall: 4600, price: held.price, chargedUntil: 1060)]
        stored.balances = market.ledger.balances
        var back = Market.restored(stored, now: Timestamp(monotonic: 0, wall: 8200), grace: 60 * second)
        _ = back.expire(now: 1 * second, wall: 8201)
        // 1060..4600: 3540 s of 1/60 credit a second = 59 credits, paid once.
        #expect(back.ledger.balance(of: "p") == 1000 + 59_000, "\(back.ledger.balances)")
        #expect(back.ledger.balances.values.reduce(0, +) == 100_000)
    }

    @Test func lowCreditIsWarnedOnceThenTheLeaseEnds() throws {
        var market = market()
        _ = market.grant(credits: 4000, to: "c", by: "admin", wall: 0)
        let lease = try lease(&market, amount: 30, wall: 0)
        // 60 units-credits per hour = 1 credit a minute: after 1 minute 3 left, under 5 minutes' worth.
        let warned = market.charge(now: Timestamp(monotonic: 60 * second, wall: 60))
        #expect(warned.count == 1)
        if case .leaseWarned(let held, let reason) = warned.first { #expect(held.id == lease.id && reason == "low-credit") }
        #expect(market.charge(now: Timestamp(monotonic: 120 * second, wall: 120)).isEmpty, "warned once")
        let ended = market.charge(now: Timestamp(monotonic: 240 * second, wall: 240))
        if case .leaseEnded(_, let reason, _) = ended.first { #expect(reason == "out-of-credit") } else { Issue.record("\(ended)") }
        #expect(market.leases.isEmpty && market.ledger.balance(of: "c") == 0 && market.ledger.balance(of: "p") == 4000)
    }

    @Test func aRestartNeitherLosesNorRepeatsACharge() throws {
        var market = market()
        _ = market.grant(credits: 100_000, to: "c", by: "admin", wall: 0)
        _ = try lease(&market, amount: 30, wall: 0)
        _ = market.charge(now: Timestamp(monotonic: 60 * second, wall: 60))
        let changes = market.takeChanges(now: Timestamp(monotonic: 60 * second, wall: 60))
        let entries = changes.compactMap { if case .entry(let entry) = $0 { entry } else { nil } }
        #expect(entries.map(\.delta) == [100_000, -1000, 1000])
        let leases = changes.compactMap { if case .lease(let lease) = $0 { lease } else { nil } }
        #expect(leases.map(\.chargedUntil) == [60] && leases.map(\.price) == [2000])
        // What the store would hold, restored 100 s later (the cube was down 40 s of it).
        var snapshot = MarketSnapshot(offers: [OfferRecord(id: 1, kind: "compute", capacity: 100, attributes: ["price=2"],
                                                           requirement: nil, providerUser: "p", created: 0)],
                                      leases: leases, nextOfferID: 2, nextLeaseID: 2)
        snapshot.balances = ["c": 99_000, "p": 1000]
        snapshot.entries = entries
        var restored = Market.restored(snapshot, now: Timestamp(monotonic: 5 * second, wall: 160), grace: 60 * second)
        _ = restored.charge(now: Timestamp(monotonic: 5 * second, wall: 160))
        // Exactly the 100 s since the last charge (1.666 credits, rounded down), no more.
        #expect(restored.ledger.balance(of: "c") == 99_000 - 1666 && restored.ledger.balance(of: "p") == 1000 + 1666)
        #expect(restored.ledger.recent["c"]?.count == 3)
    }
}
