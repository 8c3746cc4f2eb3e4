import CubeAuth
import CubeCore
import Logging
import NIOCore

/// The dialling side of one link (docs/protocol.md §3.5, §8.3): reads the banner, selects `c25519`,
/// runs the client handshake, accepts the server only if its key belongs to a trusted node,
/// then switches to encryption and hands the connection to the ``Hub`` as a link session.
final class LinkHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    /// Where the handshake is. Loop-confined, like every other field.
    private enum Phase {
        case banner
        case selecting
        case handshaking(ClientHandshake)
        case linked(SessionID)
        case failed
    }

    private let hub: Hub
    private let identity: IdentityKey
    private let nodes: KnownNodes
    private let address: PeerAddress
    private let logger: Logger
    /// Completed with the node name once linked, failed with the reason otherwise.
    private let outcome: EventLoopPromise<String>
    private var phase = Phase.banner
    private var banner: [UInt8] = []
    private var pending: [UInt8] = []
    private var endpoint: SocketEndpoint?
    private var deadline: Scheduled<Void>?

    /// Handshake lines are short; anything longer is not a cube.
    private static let maximumLine = 4096

    init(hub: Hub, identity: IdentityKey, nodes: KnownNodes, address: PeerAddress, outcome: EventLoopPromise<String>,
         logger: Logger) {
        self.hub = hub
        self.identity = identity
        self.nodes = nodes
        self.address = address
        self.outcome = outcome
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        // A peer that accepts the connection but never finishes the handshake must not hold
        // the dialer forever.
        deadline = channel.eventLoop.scheduleTask(in: .seconds(10)) { [weak self] in
            self?.fail("handshake timed out", channel: channel)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if case .linked(let session) = phase {
            guard let endpoint, let plain = endpoint.open(buffer.readableBytesView) else {
                return context.close(promise: nil)
            }
            if !plain.isEmpty { hub.received(plain, from: session) }
            return
        }
        pending.append(contentsOf: buffer.readableBytesView)
        handshake(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        switch phase {
        case .linked(let session): hub.disconnected(session)
        case .failed: break
        default: outcome.fail(LinkError("connection closed during the handshake"))
        }
        phase = .failed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail("\(error)", channel: context.channel)
    }

    /// Consumes complete handshake lines; after `AUTH_TRUE =)` the rest is encrypted traffic.
    private func handshake(context: ChannelHandlerContext) {
        let channel = context.channel
        while let newline = pending.firstIndex(of: Wire.lf) {
            let line = Array(pending[..<newline])
            pending.removeSubrange(...newline)
            switch phase {
            case .banner:
                guard line + [Wire.lf] == Wire.banner else { return fail("not a protocol-7 cube", channel: channel) }
                banner = line + [Wire.lf]
                phase = .selecting
                write(Wire.line("select c25519"), to: channel)
            case .selecting:
                guard line.elementsEqual("TRUE continue".utf8) else {
                    return fail("c25519 not offered: \(String(decoding: line, as: UTF8.self))", channel: channel)
                }
                let client = ClientHandshake(identity: identity, banner: banner, ephemeral: .generate(), expectedServer: nil)
                phase = .handshaking(client)
                write(client.helloLine(), to: channel)
            case .handshaking(var client):
                switch client.receive(line: line) {
                case .send(let bytes):
                    phase = .handshaking(client)
                    write(bytes, to: channel)
                case .authenticated(let server, let keys):
                    return linked(server: server, keys: SecureChannelKeys(receive: keys.rx, transmit: keys.tx), channel: channel)
                case .failed(let failure):
                    return fail("handshake failed: \(failure)", channel: channel)
                }
            case .linked, .failed:
                return
            }
        }
        if pending.count > Self.maximumLine { fail("handshake line too long", channel: channel) }
    }

    /// The server proved its key: accept it only as a trusted node, then register the link.
    private func linked(server: PublicKey, keys: SecureChannelKeys, channel: any Channel) {
        guard let node = nodes.nodesByKey[server] else {
            return fail("server key \(server) is not a trusted node", channel: channel)
        }
        deadline?.cancel()
        let endpoint = SocketEndpoint(channel: channel, logger: logger, gauge: hub.memory,
                                      dropAbove: hub.configuration.limits.outputQueue + hub.configuration.limits.body)
        self.endpoint = endpoint
        // Our stream header goes out first; everything the hub sends after is sealed.
        endpoint.encrypt(with: keys)
        guard let session = hub.connectLink(endpoint, node: node, address: address) else {
            return fail("node \(node) refused as a link (own name, or no network)", channel: channel)
        }
        phase = .linked(session)
        outcome.succeed(node)
        let rest = pending
        pending = []
        guard !rest.isEmpty else { return }
        guard let plain = endpoint.open(rest) else { return channel.close(promise: nil) }
        if !plain.isEmpty { hub.received(plain, from: session) }
    }

    private func write(_ bytes: [UInt8], to channel: any Channel) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    private func fail(_ reason: String, channel: any Channel) {
        if case .linked = phase { return channel.close(promise: nil) }
        if case .failed = phase { return }
        phase = .failed
        deadline?.cancel()
        outcome.fail(LinkError(reason))
        channel.close(promise: nil)
    }
}

/// Why a link attempt failed, as the `links` table shows it.
struct LinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
