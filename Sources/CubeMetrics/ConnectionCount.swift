import NIOConcurrencyHelpers

/// Connections of a ``MetricsServer`` open now.
///
/// Locked: the server's connections live on all of the cube's event loops (one per core,
/// `socket.event-loops`), and each one's initialiser and close run on its own loop, so two
/// loops can count at once. (A plain counter, as it was, could lose a count and let a 17th
/// connection in, or keep a place taken after its connection closed.)
final class ConnectionCount: Sendable {
    private let open = NIOLockedValueBox(0)

    /// Counts a new connection; false when ``MetricsServer/maximumConnections`` are open.
    func enter() -> Bool {
        open.withLockedValue { open in
            guard open < MetricsServer.maximumConnections else { return false }
            open += 1
            return true
        }
    }

    func leave() { open.withLockedValue { $0 -= 1 } }
}
