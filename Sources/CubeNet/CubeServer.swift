import CubeCore
import CubeRuntime
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The listeners of a cube, as a `Service`: the unix socket, and the TCP address of
/// `socket.tcp.listen` when configured.
///
/// Connections are spread over the event loops of ``NetworkLoop``: unix ones by the peer's
/// uid (``UnixListener``: one user's sessions share a loop), TCP ones in turn. The router is
/// called synchronously from each connection's loop under the hub's lock; a reply to a
/// session on another loop hops there.
/// On graceful shutdown every session gets `!TERM! <reason>`, output is flushed, the
/// listener closes and the socket file is removed.
package final class CubeServer: Service {
    private let hub: Hub
    private let logger: Logger
    private let onReady: @Sendable (String) -> Void
    private let group: MultiThreadedEventLoopGroup
    private let loops: [any EventLoop]
    private let shares: NIOLockedValueBox<LoopShares>
    /// Each loop's connections that ended in its current turn (ClosedSessions).
    private let closed: ClosedSessions.PerLoop

    package init(hub: Hub, loop: NetworkLoop, logger: Logger, onReady: @escaping @Sendable (String) -> Void = { _ in }) {
        self.hub = hub
        group = loop.group
        loops = loop.loops
        shares = loop.shares
        closed = ClosedSessions.PerLoop(hub: hub, loops: loop.loops)
        self.logger = logger
        self.onReady = onReady
    }

    package func run() async throws {
        let configuration = hub.configuration
        let path = configuration.unixSocketPath
        try UnixSocketFile.prepare(path)
        let listener = try UnixListener(path: path, mode: configuration.unixSocketMode, loops: loops, shares: shares)
        listener.start { [self] bootstrap, ended in
            configure(bootstrap, ended: ended)
        }
        var tcpListener: (any Channel)?
        if let listen = configuration.tcpListen, let address = HostPort(listen) {
            do {
                tcpListener = try await bootstrap(group, transport: .tcp)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .bind(host: address.bareHost, port: address.port)
                    .get()
                logger.info("listening", metadata: ["tcp": "\(listen)"])
            } catch {
                listener.close()
                UnixSocketFile.remove(path)
                throw error
            }
        }
        let hub = self.hub
        let ticker = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in hub.tick() }
        logger.info("serving", metadata: ["socket": "\(path)", "node": "\(configuration.nodeName)"])
        onReady(path)

        try? await gracefulShutdown()

        logger.info("shutting down")
        ticker.cancel()
        hub.shutdown(reason: "cube shutdown")
        listener.close()
        try? await tcpListener?.close()
        UnixSocketFile.remove(path)
        // Give the !TERM! notices a moment to flush before the loop goes away.
        for _ in 0..<50 where hub.inspect({ $0.sessionCount }) > 0 {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try? await Task.sleep(for: .milliseconds(20))
    }

    /// Each connection keeps its receive buffer between reads: start it small so ten
    /// thousand idle sessions cost little; it grows for busy ones.
    private static let receiveBuffers = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 64, maximum: 65536)

    /// The TCP listener: the server channel on one loop, connections on all of them in turn;
    /// each gets a ``ConnectionHandler``.
    private func bootstrap(_ group: any EventLoopGroup, transport: Transport) -> ServerBootstrap {
        let hub = self.hub
        let logger = self.logger
        let limit = hub.configuration.limits.outputQueue
        let closed = self.closed
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.recvAllocator, value: Self.receiveBuffers)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(hub: hub, transport: transport, logger: logger, closed: closed.of(channel.eventLoop)))
                }
            }
    }

    /// A unix connection accepted by ``UnixListener``: the same options and handler as a TCP
    /// one; `ended` runs when it closes (the listener counts connections per loop).
    private func configure(_ bootstrap: ClientBootstrap, ended: @escaping @Sendable () -> Void) -> ClientBootstrap {
        let hub = self.hub
        let logger = self.logger
        let limit = hub.configuration.limits.outputQueue
        let closed = self.closed
        return bootstrap
            .channelOption(.recvAllocator, value: Self.receiveBuffers)
            .channelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(hub: hub, transport: .unix, logger: logger, closed: closed.of(channel.eventLoop),
                                          ended: ended))
                }
            }
    }
}
