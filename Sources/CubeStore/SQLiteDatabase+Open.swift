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
        try checkPrivate(directory)
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

    /// Refuses a state directory another user could write to: they could replace the market's
    /// ledger or the learned key rotations with their own files. One made by the cube is 0700;
    /// one that existed was used as it was (a hostile second reader: a 0777 one, no warning).
    private static func checkPrivate(_ directory: String) throws(StoreError) {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw StoreError("cannot stat \(directory): \(String(cString: strerror(errno)))")
        }
        if info.st_uid != geteuid() {
            throw StoreError("\(directory) belongs to uid \(info.st_uid), not to this cube's \(geteuid()): "
                + "use a directory of its own (state.directory)")
        }
        if info.st_mode & 0o022 != 0 {
            throw StoreError("\(directory) is writable by others (mode \(String(info.st_mode & 0o777, radix: 8))): "
                + "chmod go-w it, or use a directory of its own (state.directory)")
        }
    }
}
