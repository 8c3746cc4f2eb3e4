import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps replies and notifications sent from other threads away from a closed `/dev/fuse` descriptor.
///
/// Anything that writes to the session from outside the serving thread (parked read replies, poll
/// notifications, the ``Notifier``) runs inside ``withOpenSession(_:)``. ``close()`` stops new senders
/// and waits for running ones, so the descriptor number can never be reused under a late writer.
/// Senders do not exclude each other (a notify may block in the kernel while a reply goes out).
final class ReplyGate: Sendable {
    private struct State {
        var open = true
        var inFlight = 0
    }

    /// Protected by its own mutex; never held while calling into libfuse.
    private let state = Mutex(State())

    /// Runs `body` if the session is still open.
    /// - Parameter body: Code that writes to the session.
    /// - Returns: `false` if the session was closed and `body` did not run.
    @discardableResult
    func withOpenSession(_ body: () -> Void) -> Bool {
        let entered = state.withLock { state -> Bool in
            guard state.open else { return false }
            state.inFlight += 1
            return true
        }
        guard entered else { return false }
        defer { state.withLock { $0.inFlight -= 1 } }
        body()
        return true
    }

    /// Refuses new senders and waits until running ones have finished (they never block long:
    /// the notifier is stopped before the gate closes).
    func close() {
        state.withLock { $0.open = false }
        while state.withLock({ $0.inFlight }) > 0 {
            usleep(200)
        }
    }
}
