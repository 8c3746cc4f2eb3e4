import CubeCore
import CubeRuntime
import Logging
import NIOCore

/// Feeds one socket connection into the ``Hub``: registers it (with its peer credentials),
/// passes every read on, and reports the end of the connection. (The login deadline is the
/// router's: its periodic tick closes sessions that did not log in in time.)
///
/// A connection that parked (``IdleParking``) comes back with a new channel and a new handler
/// made by ``init(resuming:session:descriptor:hub:logger:)``: same session, same endpoint.
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
    /// Loop-confined: the peer's end of input arrived before registration finished.
    private var endedEarly = false
    /// Told once when the connection ends (the unix listener's count per loop).
    private let ended: (@Sendable () -> Void)?

    /// Where the end of the session goes: its loop's batch, or straight to the hub (nil).
    private let closed: ClosedSessions?
    /// The connection's descriptor (nil: not known, the connection never parks).
    private let descriptor: CInt?
    /// Where idle connections park (nil: they do not).
    private let parking: IdleParking?
    /// The session this handler takes over after parking (nil: a new connection).
    private let resumed: ParkedSession?

    /// Where the connection's endpoint queues its flush: its loop's (nil: its own task).
    private let flushes: PendingFlushes?

    init(hub: Hub, transport: Transport, logger: Logger, closed: ClosedSessions? = nil,
         descriptor: CInt? = nil, parking: IdleParking? = nil, flushes: PendingFlushes? = nil,
         ended: (@Sendable () -> Void)? = nil) {
        self.hub = hub
        self.flushes = flushes
        self.transport = transport
        self.logger = logger
        self.closed = closed
        self.descriptor = descriptor
        self.parking = parking
        self.ended = ended
        resumed = nil
    }

    /// The handler of a parked connection's new channel.
    init(resuming endpoint: SocketEndpoint, session: ParkedSession, descriptor: CInt, hub: Hub, logger: Logger) {
        self.hub = hub
        transport = session.transport
        self.logger = logger
        closed = session.closed
        ended = session.ended
        self.descriptor = descriptor
        parking = nil
        flushes = nil
        resumed = session
        self.endpoint = endpoint
        self.session = session.id
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        if resumed != nil, let endpoint, let descriptor {
            endpoint.attach(channel, descriptor: descriptor)
            context.fireChannelActive()
            return
        }
        let endpoint = SocketEndpoint(channel: channel, logger: logger, gauge: hub.memory,
                                      dropAbove: hub.configuration.limits.outputQueue + hub.configuration.limits.body,
                                      flushes: flushes, remote: transport == .tcp)
        self.endpoint = endpoint
        let hub = self.hub
        let transport = self.transport
        // Unix peers are known by their credentials, TCP peers by their address.
        let credentials = transport == .unix ? PeerCredentials.read(from: channel) : channel.eventLoop.makeSucceededFuture(nil)
        let address = channel.remoteAddress?.ipAddress
        credentials.whenSuccess { peer in
            let id = hub.connect(endpoint, transport: transport, peer: peer, address: address)
            self.session = id
            if let parking = self.parking, let descriptor = self.descriptor {
                endpoint.allowParking(parking, descriptor: descriptor,
                                      session: ParkedSession(id: id, transport: transport, closed: self.closed, ended: self.ended))
            }
            for buffer in self.early { hub.received(buffer.readableBytesView, from: id) }
            self.early = []
            if self.endedEarly { hub.inputEnded(id) }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        BusyPoll.read(buffer.readableBytes)
        guard let session else {
            early.append(buffer)
            return
        }
        if let endpoint {
            endpoint.touch()
            if endpoint.opener != nil {
                guard let plain = endpoint.open(buffer.readableBytesView) else { return context.close(promise: nil) }
                if !plain.isEmpty { route(plain, from: session, endpoint: endpoint) }
                return
            }
            return route(buffer.readableBytesView, from: session, endpoint: endpoint)
        }
        hub.received(buffer.readableBytesView, from: session)
    }

    /// Routes a read; a large one in two halves, the output of the first flushed before the
    /// second is routed (``ReadSplit``; docs/performance.md "Breaking the depth-64 lockstep").
    private func route<Bytes: Collection<UInt8>>(_ bytes: Bytes, from session: SessionID, endpoint: SocketEndpoint) {
        guard bytes.count >= ReadSplit.minimum,
              let cut = bytes.withContiguousStorageIfAvailable({ ReadSplit.cut(UnsafeRawBufferPointer($0)) }) ?? nil
        else { return hub.received(bytes, from: session) }
        let middle = bytes.index(bytes.startIndex, offsetBy: cut)
        hub.received(bytes[..<middle], from: session)
        endpoint.flushPending()
        hub.received(bytes[middle...], from: session)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A connection that parked closed only its channel: the session goes on.
        if let endpoint, !endpoint.isAttached(to: context.channel) {
            context.fireChannelInactive()
            return
        }
        endpoint?.lost()
        if let session {
            if let closed { closed.add(session) } else { hub.disconnected(session) }
        }
        session = nil
        ended?()
        context.fireChannelInactive()
    }

    /// The peer shut down its side for writing (half-closure is allowed on every accepted
    /// connection): the channel stays open for the replies to what it sent, and the router
    /// closes the session once they are out (docs/protocol.md §7, "The end of input"). NIO's
    /// default would close the channel here, before the end of the turn flushed the replies
    /// to the last read.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .some(.inputClosed) = event as? ChannelEvent else { return context.fireUserInboundEventTriggered(event) }
        guard let session else {
            endedEarly = true
            return
        }
        hub.inputEnded(session)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }
}
