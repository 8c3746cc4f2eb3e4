import NIOConcurrencyHelpers

/// A one-time signal: services that need the socket (the manager starts zenki that connect
/// to it) wait until the server is listening. Services of a group start concurrently.
package final class Readiness: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Void, Never>])
        case ready
    }

    private let state = NIOLockedValueBox(State.waiting([]))

    package init() {}

    /// Marks ready and wakes every waiter; later calls do nothing.
    package func signal() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .ready
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once ``signal()`` has been called.
    package func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Bool in
                guard case .waiting(var waiters) = state else { return true }
                waiters.append(continuation)
                state = .waiting(waiters)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
