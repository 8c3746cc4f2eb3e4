/// The mutable state of a ``Zenka``, kept behind its mutex.
struct ZenkaState: Sendable {
    /// A command sent with ``Zenka/send(_:args:headers:body:onInterim:)`` awaiting its final reply.
    struct Pending: Sendable {
        var continuation: CheckedContinuation<Reply, any Error>
        var onInterim: (@Sendable (Reply) -> Void)?
    }

    var commands: [String: ZenkaCommand] = [:]
    var connectHooks: [@Sendable (Zenka) async -> Void] = []
    /// The live connection, nil while disconnected.
    var link: Link?
    var pending: [UInt64: Pending] = [:]
    var nextID: UInt64 = 0
    var running = false
    var stopped = false

    /// A fresh command id (1–15 digits, wrapping long before that).
    mutating func allocateID() -> UInt64 {
        repeat {
            nextID = nextID >= 999_999_999_999_999 ? 1 : nextID + 1
        } while pending[nextID] != nil
        return nextID
    }
}
