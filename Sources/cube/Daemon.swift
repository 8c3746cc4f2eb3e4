import CubeAuth
import CubeCore
import CubeManager
import CubeMetrics
import CubeMount
import CubeNet
import CubeRuntime
import CubeStore
import Dispatch
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Builds the running cube from a configuration, so tests need no command line.
struct Daemon {
    let hub: Hub
    let group: ServiceGroup
    /// The one event-loop thread of every network service; stopped after they all have.
    let loop: NetworkLoop
    /// Delivers SIGHUP to the reloader while the cube runs.
    let hangUp: any DispatchSourceSignal

    /// - Parameters:
    ///   - v7Key: the key the original's v7 manager gave on stdin (`--v7-stdin`); it is
    ///     registered for the zenka `v7`, and v7's start-up line is printed once the cube serves.
    ///   - reload: reads the configuration again, as at start (SIGHUP and the `reload` command).
    ///   - levels: the log level every handler reads; a reload sets it from `log.level`.
    static func build(loaded: LoadedConfiguration, logger: Logger, v7Key: String? = nil,
                      reload: @escaping @Sendable () throws -> LoadedConfiguration, levels: LogLevelSwitch) throws -> Daemon {
        let configuration = loaded.configuration
        let nodes = try trustedNodes(configuration)
        // Read once: it serves the c25519 login, the adverts and the links.
        let identity = try configuration.identityKeyPath.map { try IdentityKey.read(from: $0) }
        // Which key stands for which trusted node, rotations learned included; it outlives reloads.
        let trust = LinkTrust(nodes: nodes, retiredGrace: Int64(configuration.rotationGraceSeconds))
        let secureLogin = try secureLogin(configuration, identity: identity, nodes: nodes, trust: trust, logger: logger)
        let ownRotation = secureLogin?.rotation.flatMap { NodeKeyRotation(text: $0.text) }
        // Every node with an identity takes part in the network: it signs its own adverts.
        let network = identity.map { identity in
            // The trusted nodes' keys are pinned from the start: no advert signed by another
            // key can claim a listed node's name, not even before that node first appears.
            var setup = NetworkSetup(signer: IdentityAdvertSigner(identity: identity), verifier: Ed25519AdvertVerifier(),
                                     pinnedKeys: nodes.keys.mapValues(\.description))
            setup.rotation = ownRotation
            return setup
        }
        var delegates = Hub.Delegates(verifyPassword: { password, stored in
            PasswordHash.verify(password, against: stored)
        })
        // Registered even without a program: a reload may set one (docs/configuration.md).
        let rotationStore = identity == nil ? nil : openRotationStore(configuration, logger: logger)
        delegates.nodeKeyRotated = { rotation in
            trust.learn(rotation)
            do {
                try rotationStore?.save(rotation, learned: Int64(time(nil)))
            } catch {
                logger.error("key rotation not stored, kept in memory only", metadata: ["old": "\(rotation.old)", "error": "\(error)"])
            }
        }
        delegates.checkers["callout"] = CalloutProgram.checker(width: configuration.callout.concurrency)
        let hub = Hub(configuration: configuration, hasher: SodiumKeyHasher(), secureLogin: secureLogin,
                      network: network, seed: SecureRandom.uint64(),
                      utcOffset: localUTCOffset(), delegates: delegates, logger: logger)
        if let v7Key { hub.registerZenkaKey(name: "v7", key: v7Key) }
        if let rotationStore {
            // Before any link: both the adverts and the links' trust follow the stored proofs.
            let restored = hub.restoreRotations(try rotationStore.load())
            for rotation in restored { trust.learn(rotation, restoring: true) }
            if !restored.isEmpty { logger.info("key rotations restored", metadata: ["count": "\(restored.count)", "path": "\(rotationStore.path)"]) }
        }
        let store = openMarketStore(configuration, hub: hub, logger: logger)
        if identity != nil {
            // Where the configuration says, whatever the stores did: a store that failed to
            // open must not send the list elsewhere (to an empty file: revoked keys would log
            // in again; a second reader's finding).
            let revocations = RevocationFile(configuration: configuration)
            let restored = hub.restoreRevocations(try revocations.load())
            if restored > 0 { logger.info("revocations restored", metadata: ["count": "\(restored)", "path": "\(revocations.path)"]) }
            hub.update { $0.saveRevocations = { text in revocations.save(text, logger: logger) } }
        }
        let listening = Readiness()
        let loop = NetworkLoop(threads: configuration.eventLoops == 0 ? nil : configuration.eventLoops,
                               busyPoll: configuration.busyPollMicroseconds)
        if loop.busyPoll.wanted && !loop.busyPoll.isOn {
            logger.warning("socket.busy-poll is off: the event loops' epoll instances were not found")
        }
        let server = CubeServer(hub: hub, loop: loop, logger: logger) { path in
            listening.signal()
            // One plain line on stdout for people and scripts: where to connect; and under the
            // original's v7, the line it waits for before it connects (docs/protocol.md §12).
            var text = "cube '\(configuration.nodeName)' serving on \(path) (version \(SoftwareVersion.number))\n"
            if v7Key != nil { text += V7Startup.readyLine(node: configuration.nodeName, user: UnixUser.current) }
            let line = Array(text.utf8)
            _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: server)]
        // Cheap until scraped: it serves the mount's `metrics` file even with the endpoint off.
        let metrics = CubeMetricsExporter { [hub] in hub.inspect { $0.metrics } }
        if loop.busyPoll.isOn {
            metrics.attachBusyPoll { [busyPoll = loop.busyPoll] in
                let spins = busyPoll.spins
                return (["input": spins.input, "budget": spins.budget], spins.pauses, spins.skipped)
            }
        }
        if let listen = configuration.metricsListen, let address = HostPort(listen) {
            services.append(.init(service: MetricsServer(exporter: metrics, address: address, group: loop.group, logger: logger)))
        }
        // After the server: zenki are stopped before the socket closes. Always there, so that a
        // reload can add the first zenki; it logs in as `v7` only once some are configured.
        // Zenki work in <socket directory>/zenki/<name>/.
        let socket = configuration.unixSocketPath
        let runtime = socket.lastIndex(of: "/").map { String(socket[..<$0]) } ?? "."
        let manager = Manager(hub: hub, definitions: configuration.zenki, files: loaded.zenkaFiles,
                              runtimeDirectory: runtime.isEmpty ? "/" : runtime, logger: logger)
        services.append(.init(service: ManagerService(manager: manager, after: listening)))
        // The identity and the trusted nodes need a restart; the authorized keys and trusted
        // signers are read again with every reload.
        var credentials: (@Sendable (CubeConfiguration) throws -> C25519Login?)?
        if let identity {
            credentials = { configuration in
                try Daemon.secureLogin(configuration, identity: identity, nodes: nodes, trust: trust, logger: logger)
            }
        }
        let reloader = Reloader(load: reload, credentials: credentials, login: secureLogin, hub: hub, manager: manager,
                                level: levels, logger: logger)
        reloader.attach()
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        hangUp.setEventHandler { reloader.reload(reason: "SIGHUP") }
        if let identity, configuration.network.nodesPath != nil {
            // Links need a listener to answer and trusted nodes to accept; dialling is separate.
            let links = LinkService(hub: hub, loop: loop, identity: identity, trust: trust, rotation: ownRotation, logger: logger)
            services.append(.init(service: links))
            if configuration.network.discoveryInterface != nil {
                // After the links: discovery stops first and hands them no new peers while they close.
                services.append(.init(service: try DiscoveryService(hub: hub, loop: loop, identity: identity, trust: trust, links: links,
                                                                    logger: logger)))
            }
        } else if !configuration.network.peers.isEmpty || configuration.network.discoveryInterface != nil {
            logger.warning("network.peers and network.discovery ignored: links need auth.c25519.identity and network.nodes")
        }
        if let path = configuration.mountPath {
            // Last in the list, so it is the first to stop: the mount goes before the socket.
            services.append(.init(service: MountService(hub: hub, path: path, allowOther: configuration.mountAllowOther,
                                                        metrics: metrics,
                                                        requestSource: FUSELoopSource(network: loop, uid: getuid()),
                                                        logger: logger)))
        }
        // Last of all, so it is the first to stop (before the mount and the zenki).
        if store { services.append(.init(service: MarketStoreService(hub: hub))) }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        return Daemon(hub: hub, group: group, loop: loop, hangUp: hangUp)
    }

    /// Opens the market's store under `state.directory` and restores what it holds
    /// (docs/market.md "Storage"). A store that cannot be opened is logged; the cube then
    /// keeps offers and leases in memory only rather than not starting.
    /// - Returns: whether a store is attached.
    static func openMarketStore(_ configuration: CubeConfiguration, hub: Hub, logger: Logger) -> Bool {
        guard let directory = configuration.stateDirectory else { return false }
        do {
            let store = try SQLiteMarketStore(directory: directory) { failure in
                logger.error("market store write failed, change kept in memory only: \(failure)")
            }
            let snapshot = try store.load()
            hub.attachMarketStore(store, restoring: snapshot)
            logger.info("market store \(store.path): \(snapshot.offers.count) offer(s), \(snapshot.leases.count) lease(s) restored")
            return true
        } catch {
            logger.error("market store under \(directory) not opened, offers and leases in memory only: \(error)")
            return false
        }
    }

    /// Opens the store of learned node key rotations under `state.directory` (docs/security.md,
    /// "Node key rotation"); without one, or when it cannot be opened (logged), they live in
    /// memory only.
    static func openRotationStore(_ configuration: CubeConfiguration, logger: Logger) -> SQLiteRotationStore? {
        guard let directory = configuration.stateDirectory else { return nil }
        do {
            return try SQLiteRotationStore(directory: directory)
        } catch {
            logger.error("key rotation store under \(directory) not opened, learned rotations in memory only: \(error)")
            return nil
        }
    }

    /// The `c25519` method, when the configuration names an identity key.
    /// - Throws: when the authorized-keys file or a trusted signer is malformed.
    static func secureLogin(_ configuration: CubeConfiguration, identity: IdentityKey?, nodes: KnownNodes,
                            trust: LinkTrust, logger: Logger) throws -> C25519Login? {
        let signers = try trustedSigners(configuration)
        guard let identity else {
            if configuration.tcpListen != nil {
                logger.warning("TCP listener without auth.c25519.identity: nothing is offered there")
            }
            return nil
        }
        var authorized = AuthorizedKeys()
        if let keys = configuration.authorizedKeysPath {
            do {
                authorized = try AuthorizedKeys.read(from: keys)
            } catch {
                throw ConfigError(file: keys, line: 0, message: "\(error)")
            }
        }
        // Names with their own access rule (admin, v7, unix-root…) only from a signer that lists them.
        let privileged = Set(configuration.access.patterns.keys.filter { $0 != "*" })
        var rotation: KeyRotation?
        if let path = configuration.rotationPath {
            let parsed: KeyRotation
            do {
                parsed = try KeyRotation.read(from: path)
            } catch {
                throw ConfigError(file: path, line: 1, message: "\(error)")
            }
            guard parsed.new == identity.publicKey else {
                throw ConfigError(file: path, line: 1, message: "the rotation is to \(parsed.new), not to this node's key \(identity.publicKey)")
            }
            rotation = parsed
        }
        logger.info("c25519 identity loaded", metadata: ["key": "\(identity.publicKey)", "authorized": "\(authorized.users.count)"])
        var login = C25519Login(identity: identity, authorized: authorized, signers: signers, privileged: privileged, nodes: nodes)
        login.rotation = rotation
        login.linkTrust = trust
        return login
    }

    /// The certificate signers the configuration trusts (`auth.c25519.trusted-signers`,
    /// `auth.c25519.signer.<label>.*`), each with its scope.
    /// - Throws: ``ConfigError`` for a value that is no public key or a signer without one:
    ///   `cube check-config` and `cube run` refuse them alike, with or without an identity key
    ///   (before, only `run` with an identity saw them, a hostile operator's finding).
    static func trustedSigners(_ configuration: CubeConfiguration) throws(ConfigError) -> [PublicKey: SignerScope] {
        var signers: [PublicKey: SignerScope] = [:]
        for text in configuration.trustedSigners {
            guard let key = PublicKey(base32: text) else { throw ConfigError(file: "auth.c25519.trusted-signers", line: 0,
                                                                              message: "not a base32 public key: \(text)") }
            signers[key] = .anyUnprivilegedName
        }
        for setup in configuration.signers.values.sorted(by: { $0.label < $1.label }) {
            let file = "auth.c25519.signer.\(setup.label).key"
            guard let text = setup.key else { throw ConfigError(file: file, line: 0, message: "missing: the signer's public key") }
            guard let key = PublicKey(base32: text) else { throw ConfigError(file: file, line: 0, message: "not a base32 public key: \(text)") }
            signers[key] = SignerScope(names: setup.names, maximumDays: setup.maximumDays.map(Int64.init))
        }
        return signers
    }

    /// The trusted-nodes file (`network.nodes`); empty when none is configured.
    static func trustedNodes(_ configuration: CubeConfiguration) throws -> KnownNodes {
        guard let path = configuration.network.nodesPath else { return KnownNodes() }
        do {
            return try KnownNodes.read(from: path)
        } catch {
            throw ConfigError(file: path, line: 0, message: "\(error)")
        }
    }

    func run() async throws {
        hangUp.resume()
        defer { hangUp.cancel() }
        do {
            try await group.run()
        } catch {
            await loop.shutdown()
            throw error
        }
        await loop.shutdown()
    }

    /// Seconds east of UTC of the local time zone, for times shown to users.
    static func localUTCOffset() -> Int {
        var now = time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return local.tm_gmtoff
    }
}
