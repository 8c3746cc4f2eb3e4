import Logging
import NIOCore

/// Hands every datagram that arrived on the discovery interface to the ``DiscoveryService``.
final class DiscoveryHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    /// The interface the group was joined on.
    private let interfaceIndex: Int
    private let receive: @Sendable (_ datagram: [UInt8], _ sender: SocketAddress) -> Void
    private let logger: Logger

    /// - Parameters:
    ///   - interfaceIndex: datagrams that came in on another interface are dropped.
    ///   - receive: called on the event loop with each datagram and its sender.
    init(interfaceIndex: Int, logger: Logger, receive: @escaping @Sendable ([UInt8], SocketAddress) -> Void) {
        self.interfaceIndex = interfaceIndex
        self.logger = logger
        self.receive = receive
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Linux delivers a group's datagrams to every socket bound to the group's port, whichever
        // interface joined it; discovery is confined to the configured segment.
        if let packetInfo = envelope.metadata?.packetInfo, packetInfo.interfaceIndex != interfaceIndex { return }
        receive(Array(envelope.data.readableBytesView), envelope.remoteAddress)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket keeps working after an error (e.g. ICMP unreachable); don't close it.
        logger.debug("discovery socket error", metadata: ["error": "\(error)"])
    }
}
