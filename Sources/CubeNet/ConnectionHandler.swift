import CubeCore
import CubeRuntime
import Logging
import NIOCore

/// Feeds one socket connection into the ``Hub``: registers it (with its peer credentials),
/// passes every read on, and reports the end of the connection. (The login deadline is the
/// router's: its periodic tick closes sessions that did not log in in time.)
final class ConnectionHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private let hub: Hub
    private let transport: Transport
    private let logger: Logger
    /// Loop-confined: the session once registered.
    private var session: SessionID?
    /// Loop-confined: the session's endpoint (it decrypts once a `c25519` login succeeded).
    private var endpoint: SocketEndpoint?
    /// Loop-confined: reads that arrived before registration finished.
    private var early: [ByteBuffer] = []
    /// Told once when the connection ends (the unix listener's count per loop).
    private let ended: (@Sendable () -> Void)?

    /// Where the end of the session goes: its loop's batch, or straight to the hub (nil).
    private let closed: ClosedSessions?

    init(hub: Hub, transport: Transport, logger: Logger, closed: ClosedSessions? = nil, ended: (@Sendable () -> Void)? = nil) {
        self.hub = hub
        self.transport = transport
        self.logger = logger
        self.closed = closed
        self.ended = ended
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let endpoint = SocketEndpoint(channel: channel, logger: logger, gauge: hub.memory,
                                      dropAbove: hub.configuration.limits.outputQueue + hub.configuration.limits.body)
        self.endpoint = endpoint
        let hub = self.hub
        let transport = self.transport
        // Unix peers are known by their credentials, TCP peers by their address.
        let credentials = transport == .unix ? PeerCredentials.read(from: channel) : channel.eventLoop.makeSucceededFuture(nil)
        let address = channel.remoteAddress?.ipAddress
        credentials.whenSuccess { peer in
            let id = hub.connect(endpoint, transport: transport, peer: peer, address: address)
            self.session = id
            for buffer in self.early { hub.received(buffer.readableBytesView, from: id) }
            self.early = []
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let session else {
            early.append(buffer)
            return
        }
        if let endpoint, endpoint.opener != nil {
            guard let plain = endpoint.open(buffer.readableBytesView) else { return context.close(promise: nil) }
            if !plain.isEmpty { hub.received(plain, from: session) }
        } else {
            hub.received(buffer.readableBytesView, from: session)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let session {
            if let closed { closed.add(session) } else { hub.disconnected(session) }
        }
        session = nil
        ended?()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }
}
