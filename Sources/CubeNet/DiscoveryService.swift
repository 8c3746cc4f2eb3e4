import CubeAuth
import CubeCore
import CubeRuntime
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Finds trusted nodes on the same network segment (docs/network.md, "Discovery"): joins the
/// multicast group `network.discovery.group` on the interface `network.discovery.interface`,
/// announces this node's TCP listener there every `network.discovery.interval` seconds with a
/// signed ``DiscoveryAnnouncement``, and has the ``LinkService`` keep a link to every node whose
/// announcement passes ``DiscoveryVerdict/judge(_:trust:ownName:ownKey:now:intervalSeconds:mayVerify:)``.
///
/// Announcements stay on the segment (TTL 1). The interface may come up, lose or change its
/// address while the cube runs: the socket is reopened on the interface's current address.
package final class DiscoveryService: Service, Sendable {
    /// Signature checks allowed per second: a flood of datagrams dressed as a trusted node's
    /// costs at most this much CPU. Real traffic is one datagram per node and interval.
    static let signatureChecksPerSecond = 32
    /// Signature checks allowed per second for one sender address (``SignatureCheckBudget``).
    static let signatureChecksPerSender = 4
    /// Refusals remembered so that each is logged as a warning once, not every interval.
    static let reportedLimit = 1024

    private let hub: Hub
    private let identity: IdentityKey
    private let trust: LinkTrust
    private let links: LinkService
    private let logger: Logger
    private let interface: String
    private let group: SocketAddress
    private let intervalSeconds: Int
    private let loops: MultiThreadedEventLoopGroup
    private let state = Mutex(State())

    private struct State: Sendable {
        /// The address each accepted node announced last.
        var discovered = DiscoveredNodes()
        /// Refusals already logged as warnings.
        var reported: Set<String> = []
        /// This second's signature checks, in all and per sender.
        var budget = SignatureCheckBudget(perSecond: DiscoveryService.signatureChecksPerSecond,
                                          perSender: DiscoveryService.signatureChecksPerSender)
    }

    /// - Parameters:
    ///   - hub: whose configuration names interface, group and interval, and where discovered
    ///     peers are recorded for `links`.
    ///   - identity: this node's identity key; announcements are signed with it.
    ///   - trust: which key stands for which trusted node (rotations learned included, shared
    ///     with the links); only trusted nodes' announcements are accepted.
    ///   - links: keeps the links to discovered nodes.
    ///   - loop: the cube's event loop, where the datagram socket runs.
    /// - Throws: ``ConfigError`` when no interface is configured or the group is not an IPv4
    ///   multicast `ADDRESS:PORT`.
    package init(hub: Hub, loop: NetworkLoop, identity: IdentityKey, trust: LinkTrust, links: LinkService,
                logger: Logger) throws(ConfigError) {
        let settings = hub.configuration.network
        guard let interface = settings.discoveryInterface else {
            throw ConfigError(file: "network.discovery.interface", line: 0, message: "no interface configured")
        }
        guard let group = Self.groupAddress(settings.discoveryGroup) else {
            throw ConfigError(file: "network.discovery.group", line: 0,
                              message: "needs an IPv4 multicast ADDRESS:PORT, found '\(settings.discoveryGroup)'")
        }
        self.hub = hub
        self.identity = identity
        self.trust = trust
        self.links = links
        self.logger = logger
        self.interface = interface
        self.group = group
        self.intervalSeconds = settings.discoveryIntervalSeconds
        loops = loop.group
    }

    package func run() async throws {
        if hub.configuration.tcpListen == nil {
            logger.warning("discovery without socket.tcp.listen: this node only listens for announcements")
        }
        await cancelWhenGracefulShutdown { [self] in await serve(on: loops) }
    }

    /// Opens the socket on the interface and announces until cancelled; reopens it whenever the
    /// interface's address changes, and waits for an interface that is missing or unusable.
    private func serve(on loops: MultiThreadedEventLoopGroup) async {
        // Problems are logged once each, not every interval while they last.
        var lastProblem: String?
        func problem(_ text: String, _ metadata: Logger.Metadata) {
            if text != lastProblem { logger.warning("\(text)", metadata: metadata) }
            lastProblem = text
        }
        while !Task.isCancelled {
            guard let device = Self.device(named: interface), let local = device.address?.ipAddress else {
                problem("discovery interface missing, without an IPv4 address or without multicast; waiting",
                        ["interface": "\(interface)"])
                await pause()
                continue
            }
            let channel: any Channel
            do {
                channel = try await open(device, on: loops)
            } catch {
                problem("discovery socket failed; retrying", ["interface": "\(interface)", "error": "\(error)"])
                await pause()
                continue
            }
            lastProblem = nil
            logger.info("discovery on", metadata: ["interface": "\(interface)", "address": "\(local)", "group": "\(group)"])
            await announce(on: channel, device: device, local: local)
            try? await channel.close()
        }
    }

    /// Binds to the group's port, joins the group on `device` and sends from it.
    private func open(_ device: NIONetworkDevice, on loops: MultiThreadedEventLoopGroup) async throws -> any Channel {
        let logger = self.logger
        let receive: @Sendable ([UInt8], SocketAddress) -> Void = { [weak self] datagram, sender in
            self?.received(datagram, from: sender)
        }
        let channel = try await DatagramBootstrap(group: loops)
            // Several cubes on one host may discover on the same interface.
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // The arrival interface, so datagrams joined on other interfaces are told apart.
            .channelOption(.receivePacketInfo, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DiscoveryHandler(interfaceIndex: device.interfaceIndex, logger: logger, receive: receive))
                }
            }
            // Bound to the group address, not 0.0.0.0: only datagrams sent to the group arrive.
            .bind(to: group).get()
        do {
            guard let multicast = channel as? any MulticastChannel, let options = channel as? any SocketOptionProvider,
                  case .v4(let local) = device.address
            else { throw LinkError("not an IPv4 multicast datagram socket") }
            try await multicast.joinGroup(group, device: device).get()
            // Without it the kernel picks the interface of the route to the group, maybe another one.
            try await options.setIPMulticastIF(local.address.sin_addr).get()
            // Announcements are for this segment only; routers must not forward them.
            try await options.setIPMulticastTTL(1).get()
            // Other cubes on this host hear us too; our own datagrams are recognised and ignored.
            try await options.setIPMulticastLoop(1).get()
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }

    /// Sends one announcement per interval, the first at once; returns when cancelled or when the
    /// interface no longer has the address the socket was opened with.
    private func announce(on channel: any Channel, device: NIONetworkDevice, local: String) async {
        let listen = hub.configuration.tcpListen
        while !Task.isCancelled {
            guard let current = Self.device(named: interface), current.interfaceIndex == device.interfaceIndex,
                  current.address?.ipAddress == local
            else {
                logger.info("discovery interface changed; reopening", metadata: ["interface": "\(interface)"])
                return
            }
            if let address = Self.announcedAddress(listen: listen, interfaceAddress: local) {
                let announcement = DiscoveryAnnouncement.signed(node: hub.configuration.nodeName, address: address,
                                                                issued: Timestamp.now.wall, by: identity)
                let envelope = AddressedEnvelope(remoteAddress: group, data: channel.allocator.buffer(string: announcement.text))
                do {
                    try await channel.writeAndFlush(envelope).get()
                } catch {
                    // E.g. the interface went down; the next round checks it again.
                    logger.debug("discovery announcement not sent", metadata: ["error": "\(error)"])
                }
            }
            await pause()
        }
    }

    private func pause() async {
        // ±20 %: cubes started together on one host would otherwise stay in phase, and past
        // the per-sender share of signature checks the same ones were refused every interval.
        let jitter = Double.random(in: 0.8...1.2)
        try? await Task.sleep(for: .seconds(Double(intervalSeconds) * jitter))
    }

    // MARK: - Receiving

    /// One datagram from the group (on the discovery event loop).
    private func received(_ datagram: [UInt8], from sender: SocketAddress) {
        guard let announcement = DiscoveryAnnouncement(datagram: datagram) else {
            // Other software may share the group: not worth a warning.
            logger.debug("discovery datagram malformed", metadata: ["from": "\(sender)", "bytes": "\(datagram.count)"])
            return
        }
        let now = Timestamp.now.wall
        let verdict = DiscoveryVerdict.judge(
            announcement, trust: trust, ownName: hub.configuration.nodeName, ownKey: identity.publicKey, now: now,
            intervalSeconds: intervalSeconds, mayVerify: { spendSignatureCheck(for: sender, at: now) })
        switch verdict {
        case .own:
            break
        case .refuse(let reason):
            refused(announcement, reason: reason, from: sender)
        case .accept:
            accepted(announcement, from: sender)
        }
    }

    private func accepted(_ announcement: DiscoveryAnnouncement, from sender: SocketAddress) {
        // Checked when the datagram was parsed (DiscoveryAnnouncement).
        guard let address = PeerAddress(announcement.address) else { return }
        let metadata: Logger.Metadata = ["node": "\(announcement.node)", "peer": "\(address)", "from": "\(sender)"]
        let change = state.withLock { $0.discovered.take(announcement.node, at: address, issued: announcement.issued) }
        let previous: PeerAddress?
        switch change {
        case .same:
            // Handled already: the link service keeps redialling by itself.
            logger.debug("discovery announcement accepted", metadata: metadata)
            return
        case .replayed:
            logger.debug("discovery announcement older than the one taken, ignored", metadata: metadata)
            return
        case .new:
            previous = nil
        case .moved(let from):
            previous = from
        }
        if hub.isUnlinked(announcement.node) {
            // An operator's `unlink` holds, wherever the node announces itself; `link <node>` lifts it.
            logger.debug("node discovered, unlinked here", metadata: metadata)
            return
        }
        if previous == nil, hub.isLinked(to: announcement.node) {
            // It dialled us first (or is a configured peer): a second link would only be a spare,
            // and its own dialler restores the link if it drops.
            logger.info("node discovered, linked already", metadata: metadata)
            return
        }
        let configured = hub.configuration.network.peers
        if let previous, !configured.contains(previous) {
            // The node moved (a new address after a restart or a lease change): stop dialling the old one.
            links.drop(previous)
        }
        if !configured.contains(address) {
            // Recorded before dialling so that the dialler's first error is not overwritten.
            hub.peerStatus(address, error: nil, origin: .discovered)
        }
        links.keepLinked(address)
        logger.info("node discovered", metadata: metadata)
    }

    private func refused(_ announcement: DiscoveryAnnouncement, reason: DiscoveryVerdict.Reason, from sender: SocketAddress) {
        let metadata: Logger.Metadata = ["node": "\(announcement.node)", "key": "\(announcement.key)",
                                         "peer": "\(announcement.address)", "from": "\(sender)", "reason": "\(reason.rawValue)"]
        let first = state.withLock { state in
            if state.reported.count >= Self.reportedLimit { state.reported.removeAll() }
            return state.reported.insert("\(announcement.node) \(announcement.key) \(reason)").inserted
        }
        if first {
            logger.warning("discovery announcement refused", metadata: metadata)
        } else {
            logger.debug("discovery announcement refused", metadata: metadata)
        }
    }

    /// Takes one signature check from this second's budget and `sender`'s share of it.
    private func spendSignatureCheck(for sender: SocketAddress, at now: Int64) -> Bool {
        // The address without the port: one host is one sender whatever port it sends from.
        let host = sender.ipAddress ?? "\(sender)"
        return state.withLock { $0.budget.spend(for: host, at: now) }
    }

    // MARK: - Helpers

    /// `ADDRESS:PORT` of an IPv4 multicast group.
    static func groupAddress(_ text: String) -> SocketAddress? {
        guard let group = HostPort(text), let address = try? SocketAddress(ipAddress: group.host, port: group.port),
              case .v4 = address, address.isMulticast
        else { return nil }
        return address
    }

    /// The IPv4 address entry of the interface `name`, if it has one and supports multicast.
    static func device(named name: String) -> NIONetworkDevice? {
        let devices = (try? System.enumerateDevices()) ?? []
        return devices.first { device in
            guard device.name == name, device.multicastSupported, case .v4 = device.address else { return false }
            return true
        }
    }

    /// What to announce for the listener `listen` (`HOST:PORT`, as `socket.tcp.listen`): a
    /// wildcard host becomes the interface's own address, which is what peers can reach.
    /// - Returns: `tcp:HOST:PORT`, or nil without a usable listener.
    static func announcedAddress(listen: String?, interfaceAddress: String) -> String? {
        guard let listen = listen.flatMap(HostPort.init) else { return nil }
        let wildcard = ["*", "0.0.0.0", "::", "[::]"].contains(listen.host)
        let address = "tcp:\(wildcard ? interfaceAddress : listen.host):\(listen.port)"
        return PeerAddress(address) != nil ? address : nil
    }
}
