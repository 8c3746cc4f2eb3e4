import CubeCore
import CubeRuntime
import Logging
import NIOCore
import NIOPosix

/// Parks idle socket connections: one with nothing moving for `socket.park-after` seconds
/// gives up its NIO channel (about 1.7 KiB) and keeps only its descriptor, watched by
/// ``ParkedSockets``; input, a hang-up or output for it gives it a channel again on the same
/// event loop (docs/performance.md "Idle memory"). The router's session is not touched:
/// parking is below it, so a parked session keeps its routes, its login and, in its
/// ``SocketEndpoint``, its encryption state.
final class IdleParking: Sendable {
    /// How long a connection stays quiet before it parks.
    let delay: TimeAmount
    let sockets: ParkedSockets
    private let hub: Hub
    private let logger: Logger
    /// The channel options every connection of the server gets (receive buffers, water marks).
    private let options: @Sendable (ClientBootstrap) -> ClientBootstrap

    init(delay: TimeAmount, sockets: ParkedSockets, hub: Hub, logger: Logger,
         options: @escaping @Sendable (ClientBootstrap) -> ClientBootstrap) {
        self.delay = delay
        self.sockets = sockets
        self.hub = hub
        self.logger = logger
        self.options = options
    }

    /// Gives parked descriptor `fd` of `endpoint` a channel on `loop` (called there). When NIO
    /// cannot take it (it closes the descriptor then), the session ends as if its peer had
    /// hung up.
    func adopt(_ fd: CInt, endpoint: SocketEndpoint, session: ParkedSession, loop: any EventLoop, reading: Bool) {
        let hub = self.hub
        let logger = self.logger
        options(ClientBootstrap(group: loop))
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionHandler(resuming: endpoint, session: session, descriptor: fd, hub: hub, logger: logger))
                }
            }
            .withConnectedSocket(fd)
            .whenFailure { error in
                logger.warning("a parked connection could not be resumed, closing it: \(error)")
                endpoint.lost()
                session.report(to: hub)
            }
    }
}

/// What a parked connection needs to come back: its session, and where its end is reported.
struct ParkedSession: Sendable {
    let id: SessionID
    let transport: Transport
    /// Its loop's batch of ended sessions (nil: straight to the hub).
    let closed: ClosedSessions?
    /// Told once when the connection ends (the unix listener's count per loop).
    let ended: (@Sendable () -> Void)?

    /// The connection is gone: the hub hears of it, the listener's count goes down.
    func report(to hub: Hub) {
        if let closed { closed.add(id) } else { hub.disconnected(id) }
        ended?()
    }
}
