import CubeAuth
import CubeCore
import CubeRuntime
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
        /// This node's rotation proof was sent; waiting for `TRUE rotation noted`.
        case presenting
        /// `rotation` was asked; waiting for `TRUE <proof>` or `FALSE …`.
        case asking
        case handshaking(ClientHandshake)
        case linked(SessionID)
        case failed
    }

    private let hub: Hub
    private let identity: IdentityKey
    private let trust: LinkTrust
    /// This node's proof that its key replaced a trusted one, presented before `hello`.
    private let rotation: NodeKeyRotation?
    /// Whether to ask the server for its rotation proof (a former attempt met an unknown key).
    private let askRotation: Bool
    /// The server's proof, when asked and given.
    private var offered: NodeKeyRotation?
    private let address: PeerAddress
    private let logger: Logger
    /// Completed with the node name once linked, failed with the reason otherwise.
    private let outcome: EventLoopPromise<String>
    private var phase = Phase.banner
    private var banner: [UInt8] = []
    /// The handshake's lines, cut by the protocol's one decoder (docs/protocol.md §3); what
    /// follows `AUTH_TRUE =)` stays in it, encrypted, until the link is registered.
    private var decoder = FrameDecoder(mode: .linesOnly, maximumLineLength: LinkHandler.maximumLine)
    private var endpoint: SocketEndpoint?
    private var deadline: Scheduled<Void>?

    /// Handshake lines are short; anything longer is not a cube.
    private static let maximumLine = 4096

    init(hub: Hub, identity: IdentityKey, trust: LinkTrust, rotation: NodeKeyRotation?, askRotation: Bool,
         address: PeerAddress, outcome: EventLoopPromise<String>, logger: Logger) {
        self.hub = hub
        self.identity = identity
        self.trust = trust
        self.rotation = rotation
        self.askRotation = askRotation
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
        BusyPoll.read(buffer.readableBytes)
        if case .linked(let session) = phase {
            guard let endpoint, let plain = endpoint.open(buffer.readableBytesView) else {
                return context.close(promise: nil)
            }
            if !plain.isEmpty { hub.received(plain, from: session) }
            return
        }
        decoder.append(buffer.readableBytesView)
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
        while let frame = decoder.next() {
            guard case .line(let line) = frame else { return fail("handshake line too long", channel: channel) }
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
                if let rotation {
                    phase = .presenting
                    write(Wire.line("rotation \(rotation.text)"), to: channel)
                    continue
                }
                askOrHello(channel: channel)
            case .presenting:
                guard line.elementsEqual("TRUE rotation noted".utf8) else {
                    return fail("rotation proof refused: \(String(decoding: line, as: UTF8.self))", channel: channel)
                }
                askOrHello(channel: channel)
            case .asking:
                // `FALSE no key rotation` (or a cube that does not know the line): no proof.
                if line.starts(with: "TRUE ".utf8) {
                    offered = NodeKeyRotation(text: String(decoding: line.dropFirst(5), as: UTF8.self))
                } else if !line.starts(with: "FALSE".utf8) {
                    return fail("unexpected answer to rotation: \(String(decoding: line, as: UTF8.self))", channel: channel)
                }
                hello(channel: channel)
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
    }

    /// Asks for the server's rotation proof when told to, else goes on to `hello`.
    private func askOrHello(channel: any Channel) {
        guard askRotation else { return hello(channel: channel) }
        phase = .asking
        write(Wire.line("rotation"), to: channel)
    }

    /// Starts the client handshake: `hello`.
    private func hello(channel: any Channel) {
        let client = ClientHandshake(identity: identity, banner: banner, ephemeral: .generate(), expectedServer: nil)
        phase = .handshaking(client)
        write(client.helloLine(), to: channel)
    }

    /// The server proved its key: accept it only as a trusted node, then register the link.
    private func linked(server: PublicKey, keys: SecureChannelKeys, channel: any Channel) {
        guard let node = trust.node(presenting: server) ?? learnOffered(server) else {
            return fail("server key \(server) is not a trusted node (nor a trusted node's rotated key)", channel: channel,
                        untrustedKey: true)
        }
        deadline?.cancel()
        let endpoint = SocketEndpoint(channel: channel, logger: logger, gauge: hub.memory,
                                      dropAbove: hub.configuration.limits.outputQueue + hub.configuration.limits.body,
                                      remote: true)
        self.endpoint = endpoint
        // Our stream header goes out first; everything the hub sends after is sealed.
        endpoint.encrypt(with: keys)
        guard let session = hub.connectLink(endpoint, node: node, address: address) else {
            return fail("node \(node) refused as a link (own name, or no network)", channel: channel)
        }
        phase = .linked(session)
        outcome.succeed(node)
        let rest = decoder.takeRemainingBytes()
        guard !rest.isEmpty else { return }
        guard let plain = endpoint.open(rest) else { return channel.close(promise: nil) }
        if !plain.isEmpty { hub.received(plain, from: session) }
    }

    /// The node whose key the server's proof (asked for) rotated to `server`, once learned.
    private func learnOffered(_ server: PublicKey) -> String? {
        guard let offered, offered.new == server.description, case .learned(let node) = trust.learn(offered) else { return nil }
        logger.info("node key rotation learned", metadata: ["node": "\(node)", "old": "\(offered.old)", "new": "\(offered.new)"])
        return node
    }

    private func write(_ bytes: [UInt8], to channel: any Channel) {
        channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
    }

    private func fail(_ reason: String, channel: any Channel, untrustedKey: Bool = false) {
        if case .linked = phase { return channel.close(promise: nil) }
        if case .failed = phase { return }
        phase = .failed
        deadline?.cancel()
        outcome.fail(LinkError(reason, untrustedKey: untrustedKey))
        channel.close(promise: nil)
    }
}

/// Why a link attempt failed, as the `links` table shows it.
struct LinkError: Error, CustomStringConvertible {
    let description: String
    /// The server proved a key that stands for no trusted node (the next attempt asks for a rotation proof).
    let untrustedKey: Bool
    init(_ description: String, untrustedKey: Bool = false) {
        self.description = description
        self.untrustedKey = untrustedKey
    }
}
