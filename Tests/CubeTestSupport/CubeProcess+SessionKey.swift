extension CubeProcess {
    /// Registers a one-time zenka key for `name` over a connection of `admin` (who must be
    /// allowed `session-key`) and returns it.
    /// - Throws: ``LiveTestError`` when the login or the registration fails.
    public func registerKey(for name: String, admin user: String = "unix-root") throws -> String {
        let admin = try RawSocket(path: socketPath)
        defer { admin.close() }
        guard admin.loginUnix(user) else { throw LiveTestError.timeout("admin login") }
        let key = "key\(UInt64.random(in: 0...UInt64.max))"
        admin.send("(10)session-key \(name) \(key)\n")
        let answer = admin.read(until: "\n")
        guard answer == "(10)TRUE key added\n" else { throw LiveTestError.cubeExited("session-key: \(answer)") }
        return key
    }
}
