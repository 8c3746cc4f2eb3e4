import CubeCore
import CubeRuntime
import NIOCore

/// The sessions of one event loop whose connections ended in the loop's current turn,
/// reported to the hub together once the turn's I/O is done (one lock for the lot).
///
/// When 10,000 sessions of one user close at once, the kernel reports them to their loop in
/// batches; reporting each on its own took the hub's lock 10,000 times in a row, and a client
/// of another loop waited for it behind every one (docs/security.md "Resource limits").
/// Loop-confined: only its loop's connections call ``add(_:)``.
final class ClosedSessions: @unchecked Sendable {
    private let hub: Hub
    private let loop: any EventLoop
    private var ids: [SessionID] = []

    init(hub: Hub, loop: any EventLoop) {
        self.hub = hub
        self.loop = loop
    }

    /// Session `id`'s connection ended; the hub hears of it after the loop's current I/O.
    func add(_ id: SessionID) {
        loop.preconditionInEventLoop()
        ids.append(id)
        guard ids.count == 1 else { return }
        loop.execute { self.report() }
    }

    private func report() {
        let batch = ids
        ids.removeAll(keepingCapacity: true)
        hub.disconnected(batch)
    }

    /// One per loop, found by the loop a connection lives on.
    struct PerLoop: Sendable {
        private let batches: [ObjectIdentifier: ClosedSessions]

        init(hub: Hub, loops: [any EventLoop]) {
            batches = Dictionary(loops.map { (ObjectIdentifier($0), ClosedSessions(hub: hub, loop: $0)) }) { first, _ in first }
        }

        /// The batch of `loop` (nil for a loop it was not made for).
        func of(_ loop: any EventLoop) -> ClosedSessions? {
            batches[ObjectIdentifier(loop)]
        }
    }
}
