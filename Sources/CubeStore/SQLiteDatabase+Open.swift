#if canImport(Glibc)
import Glibc
#endif

extension SQLiteDatabase {
    /// Opens `<directory>/<fileName>` (the directory created with its parents, mode 0700, if
    /// missing) with a WAL journal and `synchronous = FULL`, and brings its schema to the last
    /// of `migrations` (`PRAGMA user_version` counts the steps applied).
    /// - Returns: the database and its path.
    /// - Throws: ``StoreError`` if the file cannot be opened or its schema is newer than `migrations`.
    static func openMigrated(directory: String, fileName: String,
                             migrations: [String]) throws(StoreError) -> (SQLiteDatabase, path: String) {
        // Like mkdir -p: each missing directory of the path, the last one 0700.
        var prefix = ""
        for part in directory.split(separator: "/") {
            prefix += "/" + part
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw StoreError("cannot create \(prefix): \(String(cString: strerror(errno)))")
            }
        }
        let path = directory + "/" + fileName
        let database = try SQLiteDatabase(path: path)
        try database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
        let version = try database.query("PRAGMA user_version").first?.first?.integer ?? 0
        guard version <= migrations.count else {
            throw StoreError("\(path) has schema version \(version), newer than this cube's \(migrations.count)")
        }
        for step in Int(version)..<migrations.count {
            try database.execute("BEGIN IMMEDIATE; \(migrations[step]) PRAGMA user_version = \(step + 1); COMMIT;")
        }
        return (database, path)
    }
}
