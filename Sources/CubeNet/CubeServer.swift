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
/// uid (``UnixListener``: one user's sessions share a loop), TCP ones to the least busy. The router is
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
    /// Each loop's connections waiting for their flush (PendingFlushes).
    private let flushes: PendingFlushes.PerLoop
    /// Where idle connections park (`socket.park-after`; nil: 0, they do not).
    private let parking: IdleParking?

    package init(hub: Hub, loop: NetworkLoop, logger: Logger, onReady: @escaping @Sendable (String) -> Void = { _ in }) {
        self.hub = hub
        group = loop.group
        loops = loop.loops
        shares = loop.shares
        closed = ClosedSessions.PerLoop(hub: hub, loops: loop.loops)
        flushes = PendingFlushes.PerLoop(loops: loop.loops)
        self.logger = logger
        self.onReady = onReady
        let seconds = hub.configuration.parkAfterSeconds
        if seconds > 0, let sockets = try? ParkedSockets() {
            let limit = hub.configuration.limits.outputQueue
            parking = IdleParking(delay: .seconds(Int64(seconds)), sockets: sockets, hub: hub, logger: logger) { bootstrap in
                Self.options(bootstrap, outputQueue: limit)
            }
        } else {
            parking = nil
        }
    }

    package func run() async throws {
        let configuration = hub.configuration
        let path = configuration.unixSocketPath
        try UnixSocketFile.prepare(path)
        let listener = try UnixListener(path: path, mode: configuration.unixSocketMode, loops: loops, shares: shares)
        parking?.sockets.start()
        defer { parking?.sockets.stop() }
        listener.start { [self] bootstrap, descriptor, ended in
            configure(bootstrap, transport: .unix, descriptor: descriptor, ended: ended)
        }
        var tcpListener: UnixListener?
        if let listen = configuration.tcpListen, let address = HostPort(listen) {
            do {
                let tcp = try UnixListener(tcpHost: address.bareHost, port: address.port, loops: loops)
                tcp.start { [self] bootstrap, descriptor, ended in
                    configure(bootstrap, transport: .tcp, descriptor: descriptor, ended: ended)
                }
                tcpListener = tcp
                logger.info("listening", metadata: ["tcp": "\(listen)"])
            } catch {
                listener.close()
                UnixSocketFile.remove(path)
                throw error
            }
        }
        let hub = self.hub
        let ticker = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in hub.tick() }
        let planning = PoolPlanning(hub: hub, loop: group.next())
        hub.update { $0.planPools = { planning.start() } }
        logger.info("serving", metadata: ["socket": "\(path)", "node": "\(configuration.nodeName)"])
        onReady(path)

        try? await gracefulShutdown()

        logger.info("shutting down")
        ticker.cancel()
        planning.stop()
        hub.shutdown(reason: "cube shutdown")
        listener.close()
        tcpListener?.close()
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

    /// A connection accepted by a ``UnixListener`` (its `descriptor`), unix or TCP: small
    /// receive buffers, write water marks and a ``ConnectionHandler``; `ended` runs when it
    /// closes (the listener counts connections per loop).
    private func configure(_ bootstrap: ClientBootstrap, transport: Transport, descriptor: CInt,
                           ended: @escaping @Sendable () -> Void) -> ClientBootstrap {
        let hub = self.hub
        let logger = self.logger
        let closed = self.closed
        let parking = self.parking
        let flushes = self.flushes
        return Self.options(bootstrap, outputQueue: hub.configuration.limits.outputQueue)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(hub: hub, transport: transport, logger: logger, closed: closed.of(channel.eventLoop),
                                          descriptor: descriptor, parking: parking, flushes: flushes.of(channel.eventLoop),
                                          ended: ended))
                }
            }
    }

    /// The options of every accepted connection: small receive buffers to start with, write
    /// water marks at `limits.output-queue`, and half-closure, so a peer's end of input leaves
    /// the channel open for the replies to what it sent (``ConnectionHandler``).
    private static func options(_ bootstrap: ClientBootstrap, outputQueue limit: Int) -> ClientBootstrap {
        bootstrap
            .channelOption(.recvAllocator, value: receiveBuffers)
            .channelOption(.writeBufferWaterMark, value: .init(low: limit / 2, high: limit))
            .channelOption(.allowRemoteHalfClosure, value: true)
    }
}
