import CubeCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The cube's event-loop threads (docs/architecture.md "Threads"): one per core. Each
/// connection lives on one of them for its whole life; the unix listener puts all sessions of
/// one uid on the same loop (``UnixListener``), so one user's mass of sessions cannot hold up
/// everybody else's reads. The router is behind the hub's lock, whichever loop calls it.
/// `Daemon` creates the group and shuts it down after every service has stopped.
package final class NetworkLoop: Sendable {
    package let group: MultiThreadedEventLoopGroup
    /// Which loop each uid's unix connections go to (``LoopShares``), shared by the unix
    /// listener and the mount, which serves `/dev/fuse` on the loop of the cube's own uid.
    package let shares: NIOLockedValueBox<LoopShares>

    /// Spins a loop for a moment after a turn that read something (``BusyPoll``).
    package let busyPoll: BusyPoll

    /// Starts the threads: `threads`, or one per core; with `busyPoll` microseconds of
    /// busy-polling after a small read (`socket.busy-poll`, 0 = off).
    package init(threads: Int? = nil, busyPoll microseconds: Int = 0) {
        let count = max(1, threads ?? System.coreCount)
        busyPoll = BusyPoll(microseconds: microseconds)
        if busyPoll.wanted {
            // The selectors are the epoll instances the group opens: its init returns once
            // every loop runs (each made its selector on its own thread first).
            let before = BusyPoll.epollInstances()
            group = MultiThreadedEventLoopGroup(numberOfThreads: count, metricsDelegate: busyPoll)
            busyPoll.arm(selectors: BusyPoll.epollInstances().subtracting(before), loops: count)
        } else {
            group = MultiThreadedEventLoopGroup(numberOfThreads: count)
        }
        shares = NIOLockedValueBox(LoopShares(loops: count))
    }

    /// The loop of `uid`'s unix connections, held like one more connection of `uid` until
    /// `release` is called: the mount takes the cube's own uid's, the uid of the zenki the
    /// cube starts, so that a command written to `cmd` and the zenka's connection it goes to
    /// are served by one thread (docs/performance.md "The mount's round trip").
    package func reserve(forUID uid: UInt32) -> (loop: any EventLoop, release: @Sendable () -> Void) {
        let (index, release) = shares.reserve(uid)
        let all = loops
        return (all[min(index, all.count - 1)], release)
    }

    /// Every loop of the group, in a fixed order.
    package var loops: [any EventLoop] { group.makeIterator().map { $0 } }

    /// Stops the threads; call it once nothing uses the loops any more.
    package func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
