import CubeTestSupport

extension CubeProcess {
    /// Registers a one-time key for `name` over an admin connection and returns it.
    func registerKey(for name: String) throws -> String {
        let admin = try RawSocket(path: socketPath)
        defer { admin.close() }
        guard admin.loginUnix("unix-" + UnixUserName.current) else { throw ZenkaTestError.failed("admin login") }
        let key = "key\(UInt64.random(in: 0...UInt64.max))"
        admin.send("(1)session-key \(name) \(key)\n")
        let answer = admin.read(until: "\n")
        guard answer == "(1)TRUE key added\n" else { throw ZenkaTestError.failed("session-key: \(answer)") }
        return key
    }
}
