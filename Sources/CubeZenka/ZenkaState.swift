import CubeCore

/// The mutable state of a ``Zenka``, kept behind its mutex.
struct ZenkaState: Sendable {
    /// A command sent with ``Zenka/send(_:args:headers:body:onInterim:)`` awaiting its final reply.
    struct Pending: Sendable {
        var continuation: CheckedContinuation<Reply, any Error>
        var onInterim: (@Sendable (Reply) -> Void)?
    }

    var commands = ZenkaCommand.builtins
    var connectHooks: [@Sendable (Zenka) async -> Void] = []
    /// Told of `lease-end` notices (``Zenka/onLeaseEnd(_:)``).
    var leaseEndHook: (@Sendable (UInt64, String) async -> Void)?
    /// The live connection, nil while disconnected.
    var link: Link?
    var pending: [UInt64: Pending] = [:]
    /// The last id handed out; the first is the one after the size-unit request's.
    var nextID: UInt64 = CommandID.sizeUnitRequest
    var running = false
    var stopped = false

    /// A fresh command id of 2–15 digits, as the original cube requires (docs/protocol.md §4).
    mutating func allocateID() -> UInt64 {
        repeat {
            nextID = CommandID.after(nextID)
        } while pending[nextID] != nil || nextID == CommandID.sizeUnitRequest
        return nextID
    }
}
