import CubeAuth
import CubeCore
import CubeRuntime
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps this node's outbound links up (docs/protocol.md §8.3): dials every configured peer (and every
/// peer added at run time with `link` or found by discovery) over TCP, runs the `c25519`
/// handshake through a ``LinkHandler``, and redials a lost or failed link with exponential
/// backoff (0.25 s doubling up to `network.reconnect-max`). A peer that is already linked the
/// other way (it dialled us) is not dialled again while that link lasts.
package final class LinkService: Service, Sendable {
    private let hub: Hub
    private let identity: IdentityKey
    private let trust: LinkTrust
    private let rotation: NodeKeyRotation?
    private let logger: Logger
    private let network: NetworkLoop
    /// Peers wanted, by address, with the channel of their current attempt or link.
    private let peers = Mutex<[PeerAddress: PeerSlot]>([:])

    private struct PeerSlot: Sendable {
        var task: Task<Void, Never>?
        var channel: (any Channel)?
    }

    /// - Parameters:
    ///   - hub: where links become sessions.
    ///   - loop: the cube's event loops; every outbound link runs on the one of the cube's own uid.
    ///   - identity: this node's identity key (the client key of every link).
    ///   - trust: trusted nodes; a server must prove one of their current keys.
    ///   - rotation: this node's proof that its key replaced a trusted one, presented to
    ///     every server (docs/security.md, "Node key rotation").
    package init(hub: Hub, loop: NetworkLoop, identity: IdentityKey, trust: LinkTrust, rotation: NodeKeyRotation? = nil,
                logger: Logger) {
        self.hub = hub
        self.identity = identity
        self.trust = trust
        self.rotation = rotation
        self.logger = logger
        self.network = loop
    }

    package func run() async throws {
        hub.update { delegates in
            delegates.dial = { [weak self] address in self?.keepLinked(address) }
            delegates.hangUp = { [weak self] address in self?.drop(address) }
        }
        for address in hub.configuration.network.peers { keepLinked(address) }
        try? await gracefulShutdown()
        hub.update { delegates in
            delegates.dial = nil
            delegates.hangUp = nil
        }
        let slots = peers.withLock { peers in
            defer { peers = [:] }
            return Array(peers.values)
        }
        for slot in slots {
            slot.task?.cancel()
            try? await slot.channel?.close()
        }
    }

    /// Starts keeping a link to `address` (idempotent).
    package func keepLinked(_ address: PeerAddress) {
        let started = peers.withLock { peers -> Bool in
            guard peers[address] == nil else { return false }
            peers[address] = PeerSlot()
            return true
        }
        guard started else { return }
        let task = Task { [self] in await redial(address) }
        peers.withLock { peers in peers[address]?.task = task }
    }

    /// Stops keeping a link to `address` and closes the current attempt.
    package func drop(_ address: PeerAddress) {
        let slot = peers.withLock { $0.removeValue(forKey: address) }
        slot?.task?.cancel()
        slot?.channel?.close(promise: nil)
    }

    /// The dial loop of one peer; ``LinkRedial`` paces it and says when to ask for a rotation proof.
    private func redial(_ address: PeerAddress) async {
        var pacing = LinkRedial(maximumDelay: .seconds(hub.configuration.network.reconnectMaximumSeconds))
        var knownNode: String?
        while !Task.isCancelled, isWanted(address) {
            if let node = knownNode, hub.isLinked(to: node) {
                // Linked the other way round: check again later.
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            let started = ContinuousClock.now
            let outcome: LinkRedial.Outcome
            do {
                let (channel, node) = try await connect(address, askRotation: pacing.asksRotation)
                knownNode = node
                logger.info("link up", metadata: ["node": "\(node)", "peer": "\(address)"])
                try? await channel.closeFuture.get()
                logger.info("link down", metadata: ["node": "\(node)", "peer": "\(address)"])
                outcome = .linked(lasted: ContinuousClock.now - started)
            } catch {
                outcome = .failed(unknownKey: (error as? LinkError)?.untrustedKey == true)
                hub.peerStatus(address, error: "\(error)")
                logger.debug("link attempt failed", metadata: ["peer": "\(address)", "error": "\(error)"])
            }
            let wait = pacing.next(after: outcome)
            if wait > .zero { try? await Task.sleep(for: wait) }
        }
    }

    private func isWanted(_ address: PeerAddress) -> Bool { peers.withLock { $0[address] != nil } }

    /// One attempt: TCP connect, handshake; returns the linked channel and the node's name.
    private func connect(_ address: PeerAddress, askRotation: Bool) async throws -> (any Channel, String) {
        let target = address.hostPort
        let hub = self.hub
        let identity = self.identity
        let trust = self.trust
        let rotation = self.rotation
        let logger = self.logger
        // On the loop of the cube's own uid, held like one more of its connections while the
        // link lasts: the zenki the cube starts (the usual targets of requests from other
        // nodes) and the mount are served there, so a request arriving on the link is read,
        // routed and written to its zenka by one thread, with no hop between loops and no
        // wake-up of a second thread (docs/performance.md "Across nodes").
        let (loop, release) = network.reserve(forUID: UInt32(getuid()))
        let outcome = loop.makePromise(of: String.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            LinkHandler(hub: hub, identity: identity, trust: trust, rotation: rotation, askRotation: askRotation,
                                        address: address, outcome: outcome, logger: logger))
                    }
                }
                .connect(host: target.bareHost, port: target.port).get()
        } catch {
            release()
            outcome.fail(error)
            throw LinkError(Self.describe(error))
        }
        channel.closeFuture.whenComplete { _ in release() }
        let wanted = peers.withLock { peers -> Bool in
            guard peers[address] != nil else { return false }
            peers[address]?.channel = channel
            return true
        }
        // Dropped (`unlink`) while connecting: nothing else would close this attempt before
        // its handshake deadline.
        guard wanted else {
            channel.close(promise: nil)
            throw LinkError("unlinked while connecting")
        }
        return (channel, try await outcome.futureResult.get())
    }

    /// A short reason for the `links` table.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? IOError { return "\(error.description)" }
        return "\(error)"
    }
}
