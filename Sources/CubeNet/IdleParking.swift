import CubeCore
import CubeRuntime
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Parks idle socket connections: one with nothing moving for `socket.park-after` seconds,
/// or whose peer said nothing for ``soon`` after it connected or logged in, gives up its NIO
/// channel (about 1.7 KiB) and keeps only its descriptor, watched by ``ParkedSockets``;
/// input, a hang-up or output for it gives it a channel again on the same event loop
/// (docs/performance.md "Idle memory"). The router's session is not touched: parking is below
/// it, so a parked session keeps its routes, its login and, in its ``SocketEndpoint``, its
/// encryption state.
final class IdleParking: Sendable {
    /// How long a connection stays quiet before it parks.
    let delay: TimeAmount
    /// How soon a connection parks when its peer says nothing after it connected or logged in
    /// (docs/performance.md "Idle memory per session"). 0.1 s: a client that speaks within it
    /// after its login (a tool logging in to send a command) never parks in between; sessions
    /// that wait park before the next hundreds of a login burst arrive, so those reuse their
    /// channels (measured: 0.98 KiB per idle session at 1 ms, 1.07–1.26 at 100 ms, 1.36–1.54
    /// at 250 ms, 10,000 sessions at 4–9 k logins/s).
    static let soon = TimeAmount.milliseconds(100)
    let sockets: ParkedSockets
    private let hub: Hub
    private let logger: Logger
    /// Each loop's list of awake parkable connections, made at its first connection.
    private let sweeps = NIOLockedValueBox<[ObjectIdentifier: IdleSweep]>([:])
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

    /// The sweep of `loop`'s awake parkable connections.
    func sweep(for loop: any EventLoop) -> IdleSweep {
        sweeps.withLockedValue { sweeps in
            if let sweep = sweeps[ObjectIdentifier(loop)] { return sweep }
            let sweep = IdleSweep(loop: loop, every: delay, soon: Self.soon)
            sweeps[ObjectIdentifier(loop)] = sweep
            return sweep
        }
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
