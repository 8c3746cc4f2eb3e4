@testable import CubeCore
import Testing

/// What the market hands its store, and the market a store gives back after a restart
/// (docs/market.md "Storage").
@Suite struct MarketDurabilityTests {
    private let second: UInt64 = 1_000_000_000

    @Test func changesAreJournaledOnlyWithAStoreAndRestoreWithTheirRemainingTime() throws {
        var market = Market()
        _ = market.add(kind: "storage", capacity: 100, attributes: [], requirement: nil, provider: 1, providerUser: "p", created: 0)
        #expect(market.takeChanges(now: Timestamp(monotonic: 0, wall: 1000)).isEmpty, "no store: nothing kept")

        market = Market.restored(MarketSnapshot(), now: Timestamp(monotonic: 0, wall: 1000), grace: 60 * second)
        let requirement = try ExpressionParser.parse("user == 'taeki'").get()
        let offer = market.add(kind: "storage", capacity: 100, attributes: ["tier=ssd"], requirement: requirement, provider: 1,
                               providerUser: "p", created: 5)
        let lease = try market.request(offer: offer.id, amount: 40, ttl: 60, consumer: 2, consumerUser: "taeki", consumerNode: "n",
                                       providerPresent: true, now: 0).get()
        // A requested lease is not stored; the granted one is, with its end in wall seconds.
        let first = market.takeChanges(now: Timestamp(monotonic: 0, wall: 1000))
        // The provider's record comes with its first offer (docs/market.md "Reputation").
        var seen = Reputation(firstSeen: 5)
        seen.observe(online: true, wall: 5)
        #expect(first == [.offer(OfferRecord(id: 1, kind: "storage", capacity: 100, attributes: ["tier=ssd"],
                                             requirement: "(user == 'taeki')", providerUser: "p", created: 5)),
                          .nextIDs(offer: 2, lease: 2), .reputation("p", seen)])
        _ = market.grant(lease.id, now: 10 * second)
        let granted = market.takeChanges(now: Timestamp(monotonic: 10 * second, wall: 1010))
        let record = LeaseRecord(id: 1, offer: 1, consumerUser: "taeki", amount: 40, ttl: 60, expiresWall: 1070)
        seen.record(.granted)
        #expect(granted == [.lease(record), .nextIDs(offer: 2, lease: 2), .reputation("p", seen)])
        #expect(market.takeChanges(now: Timestamp(monotonic: 10 * second, wall: 1010)).isEmpty)

        // Restarted 30 s later: 30 s left, offer and lease waiting for their people.
        let snapshot = MarketSnapshot(offers: [OfferRecord(id: 1, kind: "storage", capacity: 100, attributes: ["tier=ssd"],
                                                           requirement: "(user == 'taeki')", providerUser: "p", created: 5)],
                                      leases: [record], nextOfferID: 2, nextLeaseID: 2)
        var restored = Market.restored(snapshot, now: Timestamp(monotonic: 500 * second, wall: 1040), grace: 60 * second)
        #expect(restored.leases[1]?.expires == 530 * second && restored.leases[1]?.consumerGoneUntil == 560 * second)
        #expect(restored.offers[1]?.available == 60 && restored.offers[1]?.detachedUntil == 560 * second)
        #expect(restored.offers[1]?.admits(user: "taeki", node: "n", amount: 1, ttl: 1) == true)
        // Nobody can lease from an absent provider; the provider offering again gets offer 1 back.
        #expect(restored.reattach(kind: "compute", capacity: 10, attributes: [], requirement: nil, provider: 9, providerUser: "p") == nil)
        let reattached = restored.reattach(kind: "storage", capacity: 30, attributes: [], requirement: nil, provider: 9,
                                           providerUser: "p")
        let again = try #require(reattached)
        #expect(again.id == 1 && again.capacity == 40 && again.available == 0 && again.detachedUntil == nil)
        #expect(restored.add(kind: "storage", capacity: 1, attributes: [], requirement: nil, provider: 9, providerUser: "p",
                             created: 0).id == 2)
        // The lease runs out at its restored time.
        #expect(restored.expire(now: 529 * second).isEmpty)
        let ended = restored.expire(now: 530 * second)
        if case .leaseEnded(_, let reason, let provider) = ended.first { #expect(reason == "expired" && provider == 9) }
    }

    @Test func aProviderThatNeverComesBackIsWithdrawnAfterTheGrace() {
        let snapshot = MarketSnapshot(offers: [OfferRecord(id: 4, kind: "gpu", capacity: 2, attributes: [], requirement: nil,
                                                           providerUser: "p", created: 0)],
                                      leases: [LeaseRecord(id: 9, offer: 4, consumerUser: "c", amount: 1, ttl: 600, expiresWall: 2000),
                                               LeaseRecord(id: 10, offer: 77, consumerUser: "c", amount: 1, ttl: 600, expiresWall: 2000)])
        var market = Market.restored(snapshot, now: Timestamp(monotonic: 0, wall: 1000), grace: 60 * second)
        #expect(market.leases.keys.sorted() == [9], "a lease without its offer is dropped")
        let changes = market.expire(now: 60 * second)
        #expect(changes.count == 2 && market.offers.isEmpty && market.leases.isEmpty)
        if case .offerGone(_, let reason) = changes.last { #expect(reason == "provider-gone") }
        // The provider that never came back ended its lease early.
        var gone = Reputation(firstSeen: 0)
        gone.record(.endedEarly)
        #expect(market.takeChanges(now: Timestamp(monotonic: 60 * second, wall: 1060))
                == [.offerRemoved(4), .leaseRemoved(9), .nextIDs(offer: 5, lease: 11), .reputation("p", gone)])
    }
}
