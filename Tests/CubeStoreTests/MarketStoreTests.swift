import CubeCore
@testable import CubeStore
import Foundation
import Testing

/// The SQLite market store (docs/market.md "Storage"): schema and migrations, WAL, what is
/// saved is what is loaded, in a fresh temporary directory each time.
@Suite struct MarketStoreTests {
    private func directory() throws -> String {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("market-store-\(UUID().uuidString.prefix(8))")
        return url.path + "/state"
    }

    private let offer = OfferRecord(id: 3, kind: "storage", capacity: UInt64.max - 1, attributes: ["price=2", "tier=ssd"],
                                    requirement: "(user == 'taeki')", providerUser: "store", created: 1_795_000_000)
    private let lease = LeaseRecord(id: 7, offer: 3, consumerUser: "taeki", amount: 1 << 40, ttl: 60, expiresWall: 1_795_000_060)

    @Test func createsMigratesAndRoundTrips() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        #expect(store.schemaVersion == SQLiteMarketStore.migrations.count)
        #expect(try store.load() == MarketSnapshot())
        store.save([.offer(offer), .lease(lease), .nextIDs(offer: 4, lease: 8)])
        // A second connection (a restarted cube) reads the same.
        let again = try SQLiteMarketStore(directory: path)
        #expect(try again.load() == MarketSnapshot(offers: [offer], leases: [lease], nextOfferID: 4, nextLeaseID: 8))
        again.save([.leaseRemoved(7), .offerRemoved(3)])
        #expect(try store.load() == MarketSnapshot(nextOfferID: 4, nextLeaseID: 8))
        let mode = try SQLiteDatabase(path: store.path).query("PRAGMA journal_mode").first?.first?.text
        #expect(mode == "wal")
    }

    /// Reputation records (schema version 3, docs/market.md "Reputation") come back as saved,
    /// the latest write winning; the provider is offline until it offers again.
    @Test func reputationRecordsRoundTrip() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        var record = Reputation(firstSeen: 1_795_000_000)
        record.observe(online: true, wall: 1_795_000_000)
        record.observe(online: true, wall: 1_795_000_090)
        for outcome in [Reputation.Outcome.granted, .granted, .refused, .endedEarly, .honoured] { record.record(outcome) }
        store.save([.reputation("store", Reputation(firstSeen: 1)), .reputation("store", record)])
        var expected = record
        expected.online = false
        let loaded = try SQLiteMarketStore(directory: path).load()
        #expect(loaded.reputations == ["store": expected])
        #expect(loaded.reputations["store"]?.onlineSeconds == 90 && loaded.reputations["store"]?.endedEarly == 1)
    }

    @Test func aNewerSchemaIsRefusedAndAFailedSaveChangesNothing() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        try SQLiteDatabase(path: store.path).execute("PRAGMA user_version = 99")
        #expect(throws: StoreError.self) { try SQLiteMarketStore(directory: path) }
        try SQLiteDatabase(path: store.path).execute("PRAGMA user_version = \(SQLiteMarketStore.migrations.count)")

        final class Failures: @unchecked Sendable { var texts: [String] = [] }
        let failures = Failures()
        let watched = try SQLiteMarketStore(directory: path) { failures.texts.append($0) }
        watched.save([.offer(offer)])
        try SQLiteDatabase(path: store.path).execute("DROP TABLE leases")
        watched.save([.offerRemoved(3), .lease(lease)])
        #expect(failures.texts.count == 1)
        // Rolled back: the offer is still there.
        #expect(try SQLiteDatabase(path: store.path).query("SELECT id FROM offers").count == 1)
        #expect(throws: StoreError.self) { try SQLiteMarketStore(directory: "/proc/no/such/place") }
    }

    @Test func eachSaveIsDurableAndCheapEnough() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        store.save([.offer(offer)])
        let started = ContinuousClock.now
        let count = 200
        for index in 0..<count {
            var record = lease
            record.id = UInt64(index)
            store.save([.lease(record), .nextIDs(offer: 4, lease: UInt64(index + 1))])
        }
        let each = (ContinuousClock.now - started) / count
        print("market store: one synchronous save (WAL, synchronous=FULL) takes \(each)")
        // A generous bound only: timed goals live in benchmarks.
        #expect(each < .milliseconds(250))
        #expect(try store.load().leases.count == count)
    }
}
