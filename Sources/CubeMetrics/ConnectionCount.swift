/// Connections of a ``MetricsServer`` open now (NIO calls the initializer on the loop thread).
final class ConnectionCount: @unchecked Sendable {
    private var open = 0

    /// Counts a new connection; false when ``MetricsServer/maximumConnections`` are open.
    func enter() -> Bool {
        guard open < MetricsServer.maximumConnections else { return false }
        open += 1
        return true
    }

    func leave() { open -= 1 }
}
