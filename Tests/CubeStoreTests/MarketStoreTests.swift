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

    /// A state directory others can write to is refused (they could replace the ledger); one
    /// the store makes is 0700.
    @Test func aStateDirectoryOthersCanWriteIsRefused() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o700)
        _ = store
        #expect(chmod(path, 0o777) == 0)
        #expect(throws: StoreError.self) { _ = try SQLiteMarketStore(directory: path) }
        #expect(chmod(path, 0o750) == 0)
        _ = try SQLiteMarketStore(directory: path)
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

    /// Usage receipts (docs/market.md "Usage receipts", schema step 4): tabs, accounts and the
    /// receipts still needed come back; an acknowledged receipt of a tab is history only, a
    /// refunded one is gone; a database of schema 2 is migrated to the last step.
    @Test func receiptsRoundTripAndOldSchemasMigrate() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        // A database as the previous cube left it (schema 2), with a balance.
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let old = try SQLiteDatabase(path: path + "/" + SQLiteMarketStore.fileName)
        for step in SQLiteMarketStore.migrations.prefix(2) { try old.execute(step) }
        try old.execute("PRAGMA user_version = 2; INSERT INTO accounts VALUES ('alice', 5000);")
        let store = try SQLiteMarketStore(directory: path)
        #expect(store.schemaVersion == SQLiteMarketStore.migrations.count)
        #expect(try store.load().balances == ["alice": 5000])

        let key = String(repeating: "A", count: 52), other = "B" + String(repeating: "A", count: 51)
        func receipt(_ sequence: UInt64, payer: String = "a", payee: String = "b", acknowledged: Bool = false) -> UsageReceipt {
            UsageReceipt(payer: payer, payee: payee, lease: 7, sequence: sequence, from: Int64(sequence) * 60, to: Int64(sequence + 1) * 60,
                         amount: 100, payerKey: key, payeeKey: other, payerSignature: [1, 2, 3],
                         payeeSignature: acknowledged ? [4, 5, 6] : [])
        }
        let tab = PayerTab(node: "b", lease: 7, user: "alice", amount: 360, price: 2000, chargedUntil: 240, nextSequence: 4,
                           expires: 900)
        let unknownEnd = PayerTab(node: "c", lease: 8, user: "alice", amount: 1, price: 1, chargedUntil: 240)
        let account = PayeeAccount(payer: "c", payerKey: other, lease: 7, providerUser: "store", amount: 10, price: 1,
                                   paidUntil: 120, lastSequence: 1, ended: 130)
        store.save([.tab(tab), .tab(unknownEnd), .account(account), .receipt(receipt(1)), .receipt(receipt(2)), .receipt(receipt(3)),
                    .receipt(receipt(1, payer: "c", payee: "a", acknowledged: true)), .receipt(receipt(9, payer: "x", acknowledged: true))])
        // Acknowledged, and refunded.
        store.save([.receipt(receipt(1, acknowledged: true)), .receiptRemoved(receipt(3))])
        let snapshot = try SQLiteMarketStore(directory: path).load()
        #expect(snapshot.tabs.sorted { $0.node < $1.node } == [tab, unknownEnd])
        #expect(snapshot.accounts == [account])
        #expect(snapshot.receipts == [receipt(1, payer: "c", payee: "a", acknowledged: true), receipt(2)])
        store.save([.tabRemoved(node: "b", lease: 7), .tabRemoved(node: "c", lease: 8), .accountRemoved(7)])
        let empty = try store.load()
        #expect(empty.tabs.isEmpty && empty.accounts.isEmpty && empty.receipts == [receipt(2)])
    }

    /// A database of schema step 4 (before tabs kept their end) comes up with its tabs, each
    /// end not known: it runs until the provider's node says it ended, as it did.
    @Test func aTabStoredBeforeStepFiveComesBackWithoutAnEnd() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let old = try SQLiteDatabase(path: path + "/" + SQLiteMarketStore.fileName)
        for step in SQLiteMarketStore.migrations.prefix(4) { try old.execute(step) }
        try old.execute("PRAGMA user_version = 4; INSERT INTO receipt_tabs VALUES ('b', 7, 'alice', 360, 2000, 240, 4, 0);")
        let store = try SQLiteMarketStore(directory: path)
        #expect(store.schemaVersion == SQLiteMarketStore.migrations.count)
        #expect(try store.load().tabs == [PayerTab(node: "b", lease: 7, user: "alice", amount: 360, price: 2000, chargedUntil: 240,
                                                     nextSequence: 4)])
    }

    /// What one cross-node charge writes (docs/market.md "Usage receipts"): the consumer's
    /// ledger entry, the tab's new state and the receipt, in one synchronous transaction; then
    /// the acknowledgement. Prints the mean of 200 (a generous bound only).
    @Test func aChargeWithItsReceiptIsOneDurableSave() throws {
        let path = try directory()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let store = try SQLiteMarketStore(directory: path)
        let key = String(repeating: "A", count: 52)
        let count = 200
        let started = ContinuousClock.now
        for index in 1...count {
            let receipt = UsageReceipt(payer: "a", payee: "b", lease: 7, sequence: UInt64(index), from: Int64(index) * 60,
                                       to: Int64(index + 1) * 60, amount: 100, payerKey: key, payeeKey: key,
                                       payerSignature: Array(repeating: 1, count: 64))
            let tab = PayerTab(node: "b", lease: 7, user: "alice", amount: 360, price: 2000, chargedUntil: receipt.to,
                               nextSequence: UInt64(index + 1))
            store.save([.entry(LedgerEntry(user: "alice", delta: -100, balance: Int64(-100 * index), lease: 7, note: "lease b:7 60 s",
                                           wall: receipt.to)), .tab(tab), .receipt(receipt)])
            store.save([.receipt(UsageReceipt(payer: "a", payee: "b", lease: 7, sequence: UInt64(index), from: receipt.from, to: receipt.to,
                                              amount: 100, payerKey: key, payeeKey: key, payerSignature: receipt.payerSignature,
                                              payeeSignature: Array(repeating: 2, count: 64)))])
        }
        let each = (ContinuousClock.now - started) / count
        print("market store: one cross-node charge (entry + tab + receipt, then its acknowledgement: two saves) takes \(each)")
        #expect(each < .milliseconds(500))
        #expect(try store.load().receipts.isEmpty)
    }
}
