import NIOPosix

/// The cube's one event-loop thread (docs/architecture.md "Threads"): both listeners and every
/// session, the links, discovery and the metrics endpoint run on it, so the router is called
/// from one thread and a write to any socket from that thread needs no hop. `Daemon` creates it
/// and shuts it down after every service has stopped.
public final class NetworkLoop: Sendable {
    package let group: MultiThreadedEventLoopGroup

    /// Starts the thread.
    public init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// Stops the thread; call it once nothing uses the loop any more.
    public func shutdown() async {
        try? await group.shutdownGracefully()
    }
}
