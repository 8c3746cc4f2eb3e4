@testable import CubeCore
import Testing

/// The pure market state machine: capacity never over-committed, leases granted, renewed,
/// released, expired, and kept through the consumer's grace (docs/market.md).
@Suite struct MarketTests {
    private let second: UInt64 = 1_000_000_000
    private let provider: SessionID = 1_000_001
    private let consumer: SessionID = 2_000_002

    private func market(capacity: UInt64 = 100, requirement: String? = nil) throws -> (Market, Offer) {
        var market = Market()
        let expression = try requirement.map { try ExpressionParser.parse($0).get() }
        let offer = market.add(kind: "storage", capacity: capacity, attributes: ["tier=ssd"], requirement: expression,
                               provider: provider, providerUser: "store", created: 0)
        return (market, offer)
    }

    private func request(_ market: inout Market, _ offer: UInt64, _ amount: UInt64, user: String = "taeki",
                         session: SessionID? = nil, now: UInt64 = 0) -> Result<Lease, MarketRefusal> {
        market.request(offer: offer, amount: amount, ttl: 60, consumer: session ?? consumer, consumerUser: user,
                       consumerNode: "n1", providerPresent: true, now: now)
    }

    @Test func requestsReserveAndNeverOverCommit() throws {
        var (market, offer) = try market()
        #expect(offer.id == 1 && offer.attribute("tier") == "ssd" && offer.attribute("price") == nil)
        let first = try request(&market, 1, 60).get()
        #expect(first.state == .requested && market.offers[1]?.available == 40)
        #expect(request(&market, 1, 41) == .failure(.insufficientCapacity(available: 40)))
        #expect(request(&market, 9, 1) == .failure(.noSuchOffer("9")))
        #expect(market.request(offer: 1, amount: 1, ttl: 60, consumer: consumer, consumerUser: "x", consumerNode: "n1",
                               providerPresent: false, now: 0) == .failure(.providerAbsent))
        // A refused request gives its reservation back silently.
        #expect(market.end(first.id, reason: nil) == [.leaseEnded(first, reason: nil, provider: provider)])
        #expect(market.offers[1]?.available == 100)
        // Many requests: the sum of what is reserved never exceeds the capacity.
        var granted: UInt64 = 0
        for amount in [30, 30, 30, 30, 10, 5] as [UInt64] {
            if case .success = request(&market, 1, amount) { granted += amount }
        }
        #expect(granted == 100 && market.offers[1]?.available == 0)
    }

    @Test func grantRenewReleaseExpire() throws {
        var (market, _) = try market()
        let lease = try request(&market, 1, 10).get()
        #expect(market.grant(lease.id, now: 5 * second)?.expires == 65 * second)
        #expect(market.grant(lease.id, now: 6 * second) == nil)
        #expect(market.renew(lease.id, ttl: "120", user: "other", session: 7, now: 0) == .failure(.notYours(lease: lease.id)))
        #expect(market.renew(lease.id, ttl: "0", user: "taeki", session: consumer, now: 0) == .failure(.invalidTTL("0")))
        #expect(try market.renew(lease.id, ttl: "120", user: "taeki", session: consumer, now: 10 * second).get().expires == 130 * second)
        #expect(market.checkRelease(lease.id, user: "other", mayEndAny: false) == .notYours(lease: lease.id))
        #expect(market.checkRelease(lease.id, user: "other", mayEndAny: true) == nil)
        #expect(market.expire(now: 129 * second).isEmpty)
        let ended = market.expire(now: 130 * second)
        #expect(ended.count == 1 && market.leases.isEmpty && market.offers[1]?.available == 100)
        if case .leaseEnded(_, let reason, _) = ended.first { #expect(reason == "expired") }
    }

    @Test func withdrawingAnOfferEndsItsLeasesFirst() throws {
        var (market, offer) = try market()
        let lease = try request(&market, 1, 10).get()
        _ = market.grant(lease.id, now: 0)
        let changes = market.providerLeft(provider)
        #expect(changes.count == 2)
        if case .leaseEnded(let ended, let reason, let by) = changes.first {
            #expect(ended.id == lease.id && reason == "offer-provider-gone" && by == provider)
        }
        #expect(changes.last == .offerGone(offer, reason: "provider-gone"))
        #expect(market.offers.isEmpty && market.leases.isEmpty)
    }

    @Test func aLeaseOutlivesItsConsumerForTheGrace() throws {
        var (market, _) = try market()
        let lease = try request(&market, 1, 10).get()
        _ = market.grant(lease.id, now: 0)
        // No grace: it ends with the session.
        var copy = market
        #expect(copy.consumerLeft(consumer, grace: 0, now: second).count == 1)
        // With a grace it waits, and a new session of the same user takes it over.
        #expect(market.consumerLeft(consumer, grace: 30 * second, now: second).isEmpty)
        #expect(market.leases[lease.id]?.consumerGoneUntil == 31 * second)
        copy = market
        #expect(market.expire(now: 30 * second).isEmpty)
        let ended = market.expire(now: 31 * second)
        if case .leaseEnded(_, let reason, _) = ended.first { #expect(reason == "consumer-gone") } else { Issue.record("\(ended)") }
        let renewed = try copy.renew(lease.id, ttl: nil, user: "taeki", session: 3_000_003, now: 20 * second).get()
        #expect(renewed.consumer == 3_000_003 && renewed.consumerGoneUntil == nil)
        #expect(copy.expire(now: 31 * second).isEmpty)
    }

    @Test func providersRequireThingsOfConsumers() throws {
        var (market, _) = try market(requirement: "user in ('taeki', 'unix-root') and amount <= 50")
        #expect(request(&market, 1, 10, user: "mallory") == .failure(.requirementNotMet(offer: 1)))
        #expect(request(&market, 1, 60) == .failure(.requirementNotMet(offer: 1)))
        #expect(try request(&market, 1, 50).get().amount == 50)
    }
}
