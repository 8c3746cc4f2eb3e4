import CubeCore
import Synchronization

/// The market's durable store (docs/market.md "Storage"): offers, active leases, accounts and
/// ledger entries and the providers' reputation in SQLite,
/// in `<state directory>/market.sqlite3`. WAL journal and `synchronous = FULL`: a change is
/// on disk when ``save(_:)`` returns, and the hub sends the reply only after that, so a `kill -9`
/// at any moment loses no lease a client was told of. Each save is one transaction.
package final class SQLiteMarketStore: MarketPersistence {
    /// The schema, one step per version; a database is brought to the last version at open
    /// (`PRAGMA user_version` counts the steps applied). Append only.
    static let migrations: [String] = [
        // 1: offers, active leases and the id counters.
        """
        CREATE TABLE offers(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, capacity INTEGER NOT NULL,
                            attributes TEXT NOT NULL, requirement TEXT, provider_user TEXT NOT NULL,
                            created INTEGER NOT NULL);
        CREATE TABLE leases(id INTEGER PRIMARY KEY, offer INTEGER NOT NULL, consumer_user TEXT NOT NULL,
                            amount INTEGER NOT NULL, ttl INTEGER NOT NULL, expires INTEGER NOT NULL);
        CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """,
        // 2: prices and credits: each lease's price and how far it was charged, the accounts,
        // and every ledger entry.
        """
        ALTER TABLE leases ADD COLUMN price INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE leases ADD COLUMN charged_until INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE accounts(user TEXT PRIMARY KEY, balance INTEGER NOT NULL);
        CREATE TABLE ledger(seq INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, delta INTEGER NOT NULL,
                            balance INTEGER NOT NULL, lease INTEGER, note TEXT NOT NULL, at INTEGER NOT NULL);
        """,
        // 3: each provider's reputation (docs/market.md "Reputation"); times are unix seconds.
        """
        CREATE TABLE reputation(provider TEXT PRIMARY KEY, granted INTEGER NOT NULL, refused INTEGER NOT NULL,
                                ended_early INTEGER NOT NULL, honoured INTEGER NOT NULL, first_seen INTEGER NOT NULL,
                                online_seconds INTEGER NOT NULL, observed INTEGER NOT NULL);
        """,
        // 4: usage receipts between nodes (docs/market.md "Usage receipts"): the tabs of leases
        // held on other nodes, the accounts of leases granted to them, and every receipt as
        // its one-line text (acknowledged = countersigned by the payee).
        """
        CREATE TABLE receipt_tabs(node TEXT NOT NULL, lease INTEGER NOT NULL, user TEXT NOT NULL, amount INTEGER NOT NULL,
                                  price INTEGER NOT NULL, charged_until INTEGER NOT NULL, next_seq INTEGER NOT NULL,
                                  closed INTEGER NOT NULL, PRIMARY KEY(node, lease));
        CREATE TABLE receipt_accounts(lease INTEGER PRIMARY KEY, payer TEXT NOT NULL, payer_key TEXT NOT NULL,
                                      provider_user TEXT NOT NULL, amount INTEGER NOT NULL, price INTEGER NOT NULL,
                                      paid_until INTEGER NOT NULL, last_seq INTEGER NOT NULL, ended INTEGER);
        CREATE TABLE receipts(payer TEXT NOT NULL, payee TEXT NOT NULL, lease INTEGER NOT NULL, seq INTEGER NOT NULL,
                              line TEXT NOT NULL, acknowledged INTEGER NOT NULL, PRIMARY KEY(payer, payee, lease, seq));
        """,
        // 5: when each tab's lease runs out unless renewed here (unix seconds; NULL: not known,
        // a tab written before): it is charged no further (docs/market.md "Usage receipts").
        """
        ALTER TABLE receipt_tabs ADD COLUMN expires INTEGER;
        """,
    ]

    /// The file name inside the state directory.
    package static let fileName = "market.sqlite3"

    private let database: Mutex<SQLiteDatabase>
    /// Called with the reason when a save fails (the cube logs it; the change stays in memory).
    private let failed: @Sendable (String) -> Void
    /// The path of the database file.
    package let path: String

    /// Opens the store in `directory` (an absolute path; created with its parents, mode 0700,
    /// if missing) and migrates it.
    /// - Throws: ``StoreError`` if the file cannot be opened or its schema is newer than this cube's.
    package init(directory: String, failed: @escaping @Sendable (String) -> Void = { _ in }) throws(StoreError) {
        let (database, path) = try SQLiteDatabase.openMigrated(directory: directory, fileName: Self.fileName,
                                                              migrations: Self.migrations)
        self.path = path
        self.database = Mutex(database)
        self.failed = failed
    }

    /// The schema version of the open database.
    package var schemaVersion: Int {
        database.withLock { database in
            Int((try? database.query("PRAGMA user_version"))?.first?.first?.integer ?? 0)
        }
    }

    /// Everything stored.
    package func load() throws(StoreError) -> MarketSnapshot {
        try database.withLock { database throws(StoreError) -> MarketSnapshot in
            var snapshot = MarketSnapshot()
            for row in try database.query("SELECT id, kind, capacity, attributes, requirement, provider_user, created FROM offers ORDER BY id") {
                guard row.count == 7, let id = row[0].integer, let kind = row[1].text, let capacity = row[2].integer,
                      let attributes = row[3].text, let user = row[5].text, let created = row[6].integer else { continue }
                snapshot.offers.append(OfferRecord(id: UInt64(bitPattern: id), kind: kind, capacity: UInt64(bitPattern: capacity),
                                                   attributes: attributes.split(separator: " ").map(String.init),
                                                   requirement: row[4].text, providerUser: user, created: created))
            }
            let leases = "SELECT id, offer, consumer_user, amount, ttl, expires, price, charged_until FROM leases ORDER BY id"
            for row in try database.query(leases) {
                guard row.count == 8, let id = row[0].integer, let offer = row[1].integer, let user = row[2].text,
                      let amount = row[3].integer, let ttl = row[4].integer, let expires = row[5].integer,
                      let price = row[6].integer, let charged = row[7].integer else { continue }
                snapshot.leases.append(LeaseRecord(id: UInt64(bitPattern: id), offer: UInt64(bitPattern: offer), consumerUser: user,
                                                   amount: UInt64(bitPattern: amount), ttl: UInt64(bitPattern: ttl), expiresWall: expires,
                                                   price: price, chargedUntil: charged))
            }
            for row in try database.query("SELECT user, balance FROM accounts") {
                guard row.count == 2, let user = row[0].text, let balance = row[1].integer else { continue }
                snapshot.balances[user] = balance
            }
            // The latest entries, for `statement` (the ledger keeps a bounded number per user).
            let recent = "SELECT user, delta, balance, lease, note, at FROM ledger ORDER BY seq DESC LIMIT 10000"
            for row in try database.query(recent).reversed() {
                guard row.count == 6, let user = row[0].text, let delta = row[1].integer, let balance = row[2].integer,
                      let note = row[4].text, let at = row[5].integer else { continue }
                snapshot.entries.append(LedgerEntry(user: user, delta: delta, balance: balance,
                                                    lease: row[3].integer.map { UInt64(bitPattern: $0) }, note: note, wall: at))
            }
            let reputation = "SELECT provider, granted, refused, ended_early, honoured, first_seen, online_seconds, observed FROM reputation"
            for row in try database.query(reputation) {
                guard row.count == 8, let provider = row[0].text, let granted = row[1].integer, let refused = row[2].integer,
                      let early = row[3].integer, let honoured = row[4].integer, let first = row[5].integer,
                      let online = row[6].integer, let observed = row[7].integer else { continue }
                var record = Reputation(firstSeen: first)
                record.granted = UInt64(bitPattern: granted)
                record.refused = UInt64(bitPattern: refused)
                record.endedEarly = UInt64(bitPattern: early)
                record.honoured = UInt64(bitPattern: honoured)
                record.onlineSeconds = online
                record.observed = observed
                snapshot.reputations[provider] = record
            }
            try Self.loadReceipts(from: database, into: &snapshot)
            for row in try database.query("SELECT name, value FROM counters") {
                guard row.count == 2, let name = row[0].text, let value = row[1].integer else { continue }
                if name == "next_offer" { snapshot.nextOfferID = UInt64(bitPattern: value) }
                if name == "next_lease" { snapshot.nextLeaseID = UInt64(bitPattern: value) }
            }
            return snapshot
        }
    }

    /// Writes `changes` in one transaction; a failure is reported to `failed` and rolled back.
    package func save(_ changes: [MarketRecordChange]) {
        guard !changes.isEmpty else { return }
        let failure: String? = database.withLock { database in
            do throws(StoreError) {
                try database.execute("BEGIN IMMEDIATE")
                for change in changes { try Self.write(change, to: database) }
                try database.execute("COMMIT")
                return nil
            } catch {
                try? database.execute("ROLLBACK")
                return error.message
            }
        }
        if let failure { failed(failure) }
    }

    private static func write(_ change: MarketRecordChange, to database: SQLiteDatabase) throws(StoreError) {
        func integer(_ value: UInt64) -> SQLiteDatabase.Value { .integer(Int64(bitPattern: value)) }
        switch change {
        case .offer(let offer):
            try database.query("INSERT OR REPLACE INTO offers VALUES (?, ?, ?, ?, ?, ?, ?)", [
                integer(offer.id), .text(offer.kind), integer(offer.capacity), .text(offer.attributes.joined(separator: " ")),
                offer.requirement.map { .text($0) } ?? .null, .text(offer.providerUser), .integer(offer.created),
            ])
        case .offerRemoved(let id):
            try database.query("DELETE FROM offers WHERE id = ?", [integer(id)])
        case .lease(let lease):
            try database.query("INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                integer(lease.id), integer(lease.offer), .text(lease.consumerUser), integer(lease.amount), integer(lease.ttl),
                .integer(lease.expiresWall), .integer(lease.price), .integer(lease.chargedUntil),
            ])
        case .leaseRemoved(let id):
            try database.query("DELETE FROM leases WHERE id = ?", [integer(id)])
        case .entry(let entry):
            try database.query("INSERT INTO ledger(user, delta, balance, lease, note, at) VALUES (?, ?, ?, ?, ?, ?)", [
                .text(entry.user), .integer(entry.delta), .integer(entry.balance), entry.lease.map(integer) ?? .null,
                .text(entry.note), .integer(entry.wall),
            ])
            try database.query("INSERT OR REPLACE INTO accounts VALUES (?, ?)", [.text(entry.user), .integer(entry.balance)])
        case .reputation(let provider, let record):
            try database.query("INSERT OR REPLACE INTO reputation VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [
                .text(provider), integer(record.granted), integer(record.refused), integer(record.endedEarly),
                integer(record.honoured), .integer(record.firstSeen), .integer(record.onlineSeconds), .integer(record.observed),
            ])
        case .tab, .tabRemoved, .account, .accountRemoved, .receipt, .receiptRemoved:
            try writeReceipts(change, to: database)
        case .nextIDs(let offer, let lease):
            try database.query("INSERT OR REPLACE INTO counters VALUES ('next_offer', ?), ('next_lease', ?)",
                               [integer(offer), integer(lease)])
        }
    }
}
