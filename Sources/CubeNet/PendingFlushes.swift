import NIOCore

/// The connections of one event loop that wrote in its current turn and wait for their flush.
///
/// One task per loop and turn flushes them all once the turn's reads are done, instead of one
/// task per connection. A large read can also flush what its first half produced before its
/// second half is routed (``flushNow()``, ``ReadSplit``), so that the next process in a
/// pipeline starts while this one still routes (docs/performance.md "Breaking the depth-64
/// lockstep").
/// Loop-confined: only its loop's endpoints call it.
final class PendingFlushes: @unchecked Sendable {
    private let loop: any EventLoop
    private var waiting: [SocketEndpoint] = []
    /// The other buffer: `waiting` and this swap, so a flush allocates nothing.
    private var flushing: [SocketEndpoint] = []
    private var scheduled = false

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// `endpoint` wrote and wants its flush at the end of the turn (called once until flushed).
    func add(_ endpoint: SocketEndpoint) {
        waiting.append(endpoint)
        guard !scheduled else { return }
        scheduled = true
        loop.execute {
            self.scheduled = false
            self.flushNow()
        }
    }

    /// Flushes every connection that wrote since the last flush.
    func flushNow() {
        guard !waiting.isEmpty else { return }
        swap(&waiting, &flushing)
        for endpoint in flushing { endpoint.flushNow() }
        flushing.removeAll(keepingCapacity: true)
    }

    /// One per loop, found by the loop a connection lives on.
    struct PerLoop: Sendable {
        private let queues: [ObjectIdentifier: PendingFlushes]

        init(loops: [any EventLoop]) {
            queues = Dictionary(loops.map { (ObjectIdentifier($0), PendingFlushes(loop: $0)) }) { first, _ in first }
        }

        /// The queue of `loop` (nil for a loop it was not made for).
        func of(_ loop: any EventLoop) -> PendingFlushes? {
            queues[ObjectIdentifier(loop)]
        }
    }
}
