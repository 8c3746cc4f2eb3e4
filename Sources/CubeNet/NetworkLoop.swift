import NIOCore
import NIOPosix

/// The cube's event-loop threads (docs/architecture.md "Threads"): one per core. Each
/// connection lives on one of them for its whole life; the unix listener puts all sessions of
/// one uid on the same loop (``UnixListener``), so one user's mass of sessions cannot hold up
/// everybody else's reads. The router is behind the hub's lock, whichever loop calls it.
/// `Daemon` creates the group and shuts it down after every service has stopped.
package final class NetworkLoop: Sendable {
    package let group: MultiThreadedEventLoopGroup

    /// Starts the threads: `threads`, or one per core.
    package init(threads: Int? = nil) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads ?? System.coreCount))
    }

    /// Every loop of the group, in a fixed order.
    package var loops: [any EventLoop] { group.makeIterator().map { $0 } }

    /// Stops the threads; call it once nothing uses the loops any more.
    package func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
