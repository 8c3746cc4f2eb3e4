import CubeTestSupport

extension CubeProcess {
    /// Registers a one-time key for `name` over a connection of the user running the tests.
    func registerKey(for name: String) throws -> String {
        try registerKey(for: name, admin: "unix-" + UnixUserName.current)
    }
}
