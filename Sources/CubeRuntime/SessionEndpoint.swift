import CubeCore
import Dispatch

/// Where the bytes of one session go: a socket connection, a filesystem port, the manager.
///
/// Implementations must accept calls from any thread and keep the order of `send` calls.
package protocol SessionEndpoint: AnyObject, Sendable {
    /// Queues bytes for the peer; must not block.
    func send(_ bytes: [UInt8])
    /// Closes the peer after everything sent before has been delivered.
    func close()
    /// Encrypts everything sent from now on and decrypts everything received (after a
    /// `c25519` login). Endpoints inside the process have nothing to encrypt.
    func encrypt(with keys: SecureChannelKeys)
    /// The hub forgot the endpoint (its session closed or its peer went): whatever it still
    /// counts against `limits.memory` is returned.
    func detached()
    /// Stop taking input from the peer until ``resumeReading()`` (its turn ended with
    /// messages still buffered; docs/security.md "Resource limits").
    func pauseReading()
    /// Take input again.
    func resumeReading()
    /// Runs `work` after other sessions had their turn, at least `delay` from now (the time
    /// the session's last turn took; for a socket: scheduled on its event loop).
    func later(afterNanoseconds delay: Int64, _ work: @escaping @Sendable () -> Void)
    /// The session logged in (its login reply is being sent): a socket connection that stays
    /// quiet now may park at once (docs/performance.md "Idle memory per session").
    func loggedIn()
}

extension SessionEndpoint {
    /// In-process endpoints: nothing crosses a wire.
    package func encrypt(with keys: SecureChannelKeys) {}
    /// In-process endpoints queue nothing of their own that the gauge counts.
    package func detached() {}
    /// In-process endpoints hand over their input themselves: nothing to pause.
    package func pauseReading() {}
    package func resumeReading() {}
    /// In-process endpoints hold no channel to give up.
    package func loggedIn() {}
    package func later(afterNanoseconds delay: Int64, _ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay)), execute: work)
    }
}
