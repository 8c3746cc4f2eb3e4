import CubeCore
import Synchronization

/// The node key rotations this node learned (docs/security.md, "Node key rotation"), kept in
/// `<state directory>/keys.sqlite3` so that a node restarted after the rotated node dropped
/// `auth.c25519.rotation` still trusts the new key. Its own file, not the market's, so the two
/// schemas evolve apart. WAL journal and `synchronous = FULL`, like the market's store.
package final class SQLiteRotationStore: Sendable {
    /// The schema, one step per version (append only).
    static let migrations: [String] = [
        // 1: proofs in the order they were learned; one per retired key.
        """
        CREATE TABLE rotations(seq INTEGER PRIMARY KEY AUTOINCREMENT, old TEXT NOT NULL UNIQUE,
                               proof TEXT NOT NULL, learned INTEGER NOT NULL);
        """,
    ]

    /// The file name inside the state directory.
    package static let fileName = "keys.sqlite3"

    private let database: Mutex<SQLiteDatabase>
    /// The path of the database file.
    package let path: String

    /// Opens the store in `directory` (an absolute path; created with its parents, mode 0700,
    /// if missing) and migrates it.
    /// - Throws: ``StoreError`` if the file cannot be opened or its schema is newer than this cube's.
    package init(directory: String) throws(StoreError) {
        let (database, path) = try SQLiteDatabase.openMigrated(directory: directory, fileName: Self.fileName,
                                                              migrations: Self.migrations)
        self.path = path
        self.database = Mutex(database)
    }

    /// The proofs stored, in the order they were learned.
    /// - Throws: ``StoreError`` when a row is not a proof (a damaged file is not guessed at).
    package func load() throws(StoreError) -> [NodeKeyRotation] {
        try database.withLock { database throws(StoreError) -> [NodeKeyRotation] in
            var proofs: [NodeKeyRotation] = []
            for row in try database.query("SELECT seq, proof FROM rotations ORDER BY seq") {
                guard row.count == 2, let text = row[1].text, let proof = NodeKeyRotation(text: text) else {
                    throw StoreError("\(path): row \(row.first?.integer ?? 0) is not a key rotation proof")
                }
                proofs.append(proof)
            }
            return proofs
        }
    }

    /// Adds a proof learned at `learned` (unix seconds); one already stored for its old key is kept.
    /// - Throws: ``StoreError`` when the write fails.
    package func save(_ proof: NodeKeyRotation, learned: Int64) throws(StoreError) {
        _ = try database.withLock { database throws(StoreError) in
            try database.query("INSERT OR IGNORE INTO rotations(old, proof, learned) VALUES (?, ?, ?)",
                               [.text(proof.old), .text(proof.text), .integer(learned)])
        }
    }
}
