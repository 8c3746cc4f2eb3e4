import CubeCore
import Logging
import NIOConcurrencyHelpers

/// Owns the ``Router`` and carries out its actions.
///
/// Every input takes the lock once, runs the pure router and hands its output to the
/// endpoints before releasing the lock (endpoints only queue bytes). Callers may be NIO event
/// loops, password workers, FUSE threads or the manager; output order equals router order.
package final class Hub: Sendable {
    private struct State: Sendable {
        var router: Router
        var endpoints: [SessionID: any SessionEndpoint] = [:]
        /// The market's durable store; nil = memory only, or once shutting down (docs/market.md).
        var store: (any MarketPersistence)?
        /// Door sessions (the mount's, the manager's): typed messages, no bytes.
        var doors: [SessionID: any DoorEndpoint] = [:]
    }

    /// What one router input left to do after the hub's lock: door follow-ups first (parked
    /// reads answered), then the other actions in order.
    private struct Leftover: Sendable {
        var followUps: [DoorFollowUp] = []
        var others: [RouterAction] = []
    }

    /// Receives actions the hub itself cannot perform (credential checks, zenka starts, events).
    package struct Delegates: Sendable {
        /// Checkers of credentials by auth method (``RouterAction/checkCredential(_:origin:_:)``):
        /// a method whose verdict is ``AuthVerdict/check(_:)`` needs one here under its name.
        package var checkers: [String: CredentialChecker] = [:]
        package var startZenka: (@Sendable (_ name: String) -> Bool)?
        /// Starts or stops one instance of a scaling zenka (the manager, docs/pooling.md).
        package var scale: (@Sendable (ScaleOrder) -> Void)?
        /// Observers of router events, by name (the mount, the manager).
        package var observers: [String: @Sendable (RouterEvent) -> Void] = [:]
        /// Calls ``Hub/planPools()`` every 100 ms until it returns false (``RouterAction/planPools``).
        package var planPools: (@Sendable () -> Void)?
        /// Starts keeping a link to a peer (the `link` command).
        package var dial: (@Sendable (_ address: PeerAddress) -> Void)?
        /// Stops keeping a link to a peer (the `unlink` command).
        package var hangUp: (@Sendable (_ address: PeerAddress) -> Void)?
        /// Re-reads and applies the configuration for the `reload` command of session `id`,
        /// then calls ``Hub/reloadFinished(_:command:refusal:changes:)``.
        package var reload: (@Sendable (_ id: SessionID, _ command: UInt64) -> Void)?
        /// Writes the revocation list to its file (``RouterAction/saveRevocations(_:)``).
        package var saveRevocations: (@Sendable (_ text: String) -> Void)?
        /// Tells the links' trust a rotation the router learned (``RouterAction/nodeKeyRotated(_:)``).
        package var nodeKeyRotated: (@Sendable (_ rotation: NodeKeyRotation) -> Void)?

        /// - Parameters:
        ///   - verifyPassword: checks a `pwd` password against its stored Argon2id string.
        ///   - startZenka: starts an on-demand zenka.
        package init(verifyPassword: @escaping @Sendable ([UInt8], String) -> Bool,
                    startZenka: (@Sendable (String) -> Bool)? = nil) {
            self.checkers["pwd"] = CredentialChecker(width: Hub.passwordWorkers) { check in
                verifyPassword(check.secret, check.reference) ? .accepted : .refused(reason: "wrong password")
            }
            self.startZenka = startZenka
        }
    }

    private let state: NIOLockedValueBox<State>
    /// Bounds the notices about refused logins and commands per origin.
    private let refusals = NIOLockedValueBox(LogThrottle<RefusalSource>(perSecond: Hub.refusalLinesPerSecond,
                                                                        other: .other))
    /// Refusal notices per origin and second (docs/security.md "Logs").
    package static let refusalLinesPerSecond = 5
    private let delegates: NIOLockedValueBox<Delegates>
    private let logger: Logger
    /// Runs credential checks (Argon2id is deliberately slow, a program may be) away from the
    /// event loop, taking turns between origins: one pool per method.
    private let workers = NIOLockedValueBox([String: BlockingWorkers]())
    /// Argon2id checks that run at once (about 64 MiB each, docs/security.md). Two, so an
    /// origin's lone check (an honest login) starts at once even while a burst's runs: one
    /// origin runs one check at a time, and a burst's others run at a lower CPU priority
    /// (``BlockingWorkers``), so the event loops keep the CPU.
    package static let passwordWorkers = 2
    private let current: NIOLockedValueBox<CubeConfiguration>
    /// Messages (plus KiB of local listings) one session is served per turn before the others
    /// (``Router/turnBudget``): a pipelined burst of 64 stays one turn.
    package static let turnBudget = 256
    /// Output queued for slow readers and what the router holds, against `limits.memory`.
    package let memory: MemoryGauge
    /// Returns freed heap to the system after a surge (the tick's).
    private let trimmer = NIOLockedValueBox(MemoryTrimmer())

    package init(configuration: CubeConfiguration, hasher: any KeyHasher, secureLogin: (any SecureHandshakeFactory)? = nil,
                network: NetworkSetup? = nil, seed: UInt64, utcOffset: Int, delegates: Delegates, logger: Logger) {
        self.current = NIOLockedValueBox(configuration)
        self.memory = MemoryGauge(limit: configuration.limits.memory)
        self.state = NIOLockedValueBox(State(router: Router(configuration: configuration, hasher: hasher,
                                                            secureLogin: secureLogin, network: network, seed: seed,
                                                            utcOffset: utcOffset, now: .now)))
        self.delegates = NIOLockedValueBox(delegates)
        self.logger = logger
        state.withLockedValue { $0.router.turnBudget = Self.turnBudget }
    }

    /// Restores the market a store held and writes every later change to it, each input's
    /// before its replies go out (docs/market.md "Storage"). Call once, before serving.
    package func attachMarketStore(_ store: any MarketPersistence, restoring snapshot: MarketSnapshot) {
        state.withLockedValue { state in
            state.router.restoreMarket(snapshot, now: .now)
            state.store = store
        }
    }

    /// Stops writing to the market store: called when a graceful shutdown begins, so the
    /// sessions it closes (zenki stopped, clients told) end no stored offer or lease.
    package func detachMarketStore() {
        state.withLockedValue { state in
            Self.persist(&state)
            state.store = nil
        }
    }

    private static func persist(_ state: inout State) {
        guard let store = state.store, state.router.marketChanged else { return }
        store.save(state.router.takeMarketChanges(now: .now))
    }

    /// The running configuration (``reconfigure(_:)`` changes it). Kept apart from the
    /// router's lock, so reading it never waits for routing and is safe from any thread.
    package var configuration: CubeConfiguration { current.withLockedValue { $0 } }

    /// Replaces the delegates (the manager and the filesystem attach after start-up).
    package func update(_ change: @Sendable (inout Delegates) -> Void) {
        delegates.withLockedValue { change(&$0) }
    }

    // MARK: - Inputs

    /// Registers a new connection and sends its banner.
    package func connect(_ endpoint: any SessionEndpoint, transport: Transport, peer: PeerIdentity?,
                        address: String? = nil) -> SessionID {
        open(endpoint, session: { $0 }) { $0.connected(transport: transport, peer: peer, address: address, now: .now) }
    }

    /// Registers an in-process session that is already logged in as `user` (of `kind`
    /// ``SessionKind/zenka`` for a zenka the manager logs in over stdio).
    package func connectLocal(_ endpoint: any SessionEndpoint, user: String, transport: Transport,
                              kind: SessionKind = .inProcess) -> SessionID {
        open(endpoint, session: { $0 }) { $0.connectLocal(user: user, transport: transport, kind: kind, now: .now) }
    }

    /// Registers a door session, already logged in as `user`: it submits typed commands
    /// (``submit(_:from:registering:)``) and replies (``reply(_:from:)``) and gets typed
    /// messages back through `door` (docs/architecture.md "The door").
    package func connectDoor(_ door: any DoorEndpoint, user: String, transport: Transport) -> SessionID {
        connectDoor(user: user, transport: transport) { _ in door }
    }

    /// Registers a door session as ``connectDoor(_:user:transport:)`` does, with a door made
    /// for its id: a door that answers for its session must know it before anything can be
    /// routed to it, which may happen the moment the hub's lock is released.
    package func connectDoor(user: String, transport: Transport,
                             _ makeDoor: (SessionID) -> any DoorEndpoint) -> SessionID {
        let (id, leftover) = state.withLockedValue { state -> (SessionID, Leftover) in
            let (id, actions) = state.router.connectLocal(user: user, transport: transport, door: true, now: .now)
            Self.persist(&state)
            state.doors[id] = makeDoor(id)
            return (id, Self.deliver(actions, in: &state))
        }
        perform(leftover)
        return id
    }

    /// A typed command from door session `id`, dispatched like one from a socket.
    ///
    /// `registering` runs under the hub's lock once the router accepted the command and before
    /// any of its replies is delivered, so the caller can file the command where its replies
    /// will look for it: a session closing meanwhile either came first (``DispatchOutcome/noSession``)
    /// or finds the entry and answers it (`FALSE command route collapsed`). It must not call the hub.
    /// - Returns: routed or refused (with the reason, which nothing else reports), or the
    ///   session is gone.
    package func submit(_ command: Command, from id: SessionID, registering: (() -> Void)? = nil) -> DispatchOutcome {
        let (outcome, leftover) = state.withLockedValue { state -> (DispatchOutcome, Leftover) in
            state.router.setExternalMemory(memory.outputBytes)
            let (outcome, actions) = state.router.submit(command, from: id, now: .now)
            if outcome == .accepted { registering?() }
            // The mount acquires and releases too (docs/market.md "Storage").
            Self.persist(&state)
            memory.routerBytes = state.router.memoryHeld
            return (outcome, Self.deliver(actions, in: &state))
        }
        perform(leftover)
        return outcome
    }

    /// A typed reply from door session `id` to a command routed to it.
    package func reply(_ reply: Reply, from id: SessionID) {
        run { $0.replied(reply, from: id, now: .now) }
    }

    /// An outbound link finished its handshake with the trusted node `node`.
    /// - Returns: its session, or nil when the router refused it (no network, own name).
    package func connectLink(_ endpoint: any SessionEndpoint, node: String, address: PeerAddress) -> SessionID? {
        open(endpoint, session: { $0 }) { $0.linkConnected(node: node, address: address, now: .now) }
    }

    /// The dialer's news about a peer address (for `links`).
    package func peerStatus(_ address: PeerAddress, error: String?, origin: PeerSource = .discovered) {
        state.withLockedValue { $0.router.peerStatus(address, error: error, origin: origin) }
    }

    /// Whether `node` was unlinked here (discovery must not dial it back).
    package func isUnlinked(_ node: String) -> Bool {
        state.withLockedValue { $0.router.isUnlinked(node) }
    }

    /// Whether a link to `node` is up.
    package func isLinked(to node: String) -> Bool {
        state.withLockedValue { $0.router.isLinked(to: node) }
    }

    /// Bytes arrived from a session.
    package func received(_ bytes: some Collection<UInt8>, from id: SessionID) {
        run { $0.received(bytes, from: id, now: .now) }
    }

    /// The mount holds `bytes` more (or fewer) for `user`: unfinished commands, unread `ask`
    /// replies (``Router/chargeMountInput(_:user:force:)``); the refusal's text when it may not.
    package func chargeMountInput(_ bytes: Int, user: String, force: Bool = false) -> String? {
        state.withLockedValue { state in
            state.router.setExternalMemory(memory.outputBytes)
            let refusal = state.router.chargeMountInput(bytes, user: user, force: force)
            memory.routerBytes = state.router.memoryHeld
            return refusal
        }
    }

    /// The peer shut down its side for writing: the session closes once what it sent is
    /// answered (``Router/inputEnded(_:now:)``).
    package func inputEnded(_ id: SessionID) {
        run { $0.inputEnded(id, now: .now) }
    }

    /// A session's connection is gone: the router forgets it and the hub its endpoint.
    ///
    /// The endpoint must go here too: only a `close` action removes it otherwise, and a peer
    /// that hangs up itself gets none, so every such connection used to stay behind (about
    /// 1.8 KB each, docs/security.md "Resource limits").
    package func disconnected(_ id: SessionID) {
        disconnected([id])
    }

    /// Several sessions' connections are gone (one event loop's turn of them), at most
    /// ``removalsPerLock`` under one lock: 10,000 sessions closing at once take it a few
    /// hundred times, not 10,000, and never hold it long (a loop's turn can hold thousands).
    package func disconnected(_ ids: [SessionID]) {
        var start = ids.startIndex
        while start < ids.endIndex {
            let chunk = ids[start..<min(start + Self.removalsPerLock, ids.endIndex)]
            start = chunk.endIndex
            let leftover = execute { state in
                let now = Timestamp.now
                var actions: [RouterAction] = []
                for id in chunk {
                    state.endpoints.removeValue(forKey: id)?.detached()
                    state.doors[id] = nil
                    actions += state.router.disconnected(id, now: now)
                }
                return actions
            }
            perform(leftover)
        }
    }

    /// Session removals per hold of the hub's lock (a few µs each): what another loop's
    /// client may wait for is one chunk, about 0.1 ms.
    static let removalsPerLock = 32

    /// Registers a one-time key for zenka `name`.
    package func registerZenkaKey(name: String, key: String) {
        state.withLockedValue { $0.router.registerZenkaKey(name: name, key: Array(key.utf8), now: .now) }
    }

    /// Registers `name` as an on-demand zenka.
    package func registerOnDemand(_ name: String) {
        state.withLockedValue { $0.router.registerOnDemand(name) }
    }

    /// Unregisters the on-demand zenka `name`; commands queued for it get their FALSE.
    package func unregisterOnDemand(_ name: String) {
        run { $0.unregisterOnDemand(name, now: .now) }
    }

    /// Starting the on-demand zenka `name` failed: queued commands get their FALSE.
    package func zenkaStartFailed(_ name: String) {
        run { $0.zenkaStartFailed(name, now: .now) }
    }

    /// The manager stops `session`, an instance of `name`: no new commands go to it
    /// (``Router/instanceStopping(_:of:comingBack:)``).
    package func instanceStopping(_ session: SessionID, of name: String, comingBack: Bool) {
        run { router in
            router.instanceStopping(session, of: name, comingBack: comingBack)
            return []
        }
    }

    /// Brings the balanced zenka `name` down to an `instances.max` a reload lowered
    /// (``Router/drainSurplus(_:maximum:among:starting:)``).
    /// - Returns: the sessions drained (the router orders their stops once they are idle), and
    ///   how many of the `starting` instances to stop.
    package func drainSurplus(_ name: String, maximum: Int, among candidates: Set<SessionID>, starting: Int)
        -> (drained: [SessionID], startsToStop: Int) {
        var result: ([SessionID], Int) = ([], 0)
        perform(execute { state in
            let (drained, startsToStop, actions) = state.router.drainSurplus(name, maximum: maximum, among: candidates,
                                                                             starting: starting)
            result = (drained, startsToStop)
            return actions
        })
        return result
    }

    /// Releases a lease on behalf of `user` (the mount's `rm leases/<id>`).
    /// - Returns: whether it was released, and the reason when not.
    package func releaseLease(_ lease: UInt64, user: String) -> (Bool, String) {
        let (released, message, leftover) = state.withLockedValue { state -> (Bool, String, Leftover) in
            let (released, message, actions) = state.router.release(lease, user: user, now: .now)
            Self.persist(&state)
            return (released, message, Self.deliver(actions, in: &state))
        }
        perform(leftover)
        return (released, message)
    }

    /// Periodic housekeeping (route timeouts, key expiry).
    package func tick() {
        run { $0.tick(now: .now) }
        let held = memory.outputBytes + memory.routerBytes
        trimmer.withLockedValue { $0.observe(counted: held) }
        let now = Timestamp.now.monotonic
        for entry in refusals.withLockedValue({ $0.flush(now: now) }) { logSuppressed(entry) }
    }

    /// Plans balanced zenki between ticks (``Router/planPools(now:)``), so a surge of load is
    /// answered within `scale.surge-after` rather than at the next second (docs/pooling.md
    /// "Surges"). - Returns: whether to call it again in 100 ms.
    package func planPools() -> Bool {
        var again = false
        perform(execute { state in
            let actions = state.router.planPools(now: .now)
            again = state.router.poolsWantPlanning
            return actions
        })
        return again
    }

    /// Applies a reloaded configuration (``Router/reconfigure(_:now:)``): what can change live
    /// does, sessions stay. Returns the configuration now running.
    @discardableResult
    package func reconfigure(_ loaded: CubeConfiguration) -> CubeConfiguration {
        var running = loaded
        run { router in
            let actions = router.reconfigure(loaded, now: .now)
            running = router.configuration
            return actions
        }
        current.withLockedValue { $0 = running }
        memory.limit = running.limits.memory
        return running
    }

    /// Applies revocations read from the file at start (``Router/restoreRevocations(_:)``).
    /// - Returns: how many were new.
    @discardableResult
    package func restoreRevocations(_ entries: [Revocation]) -> Int {
        state.withLockedValue { $0.router.restoreRevocations(entries) }
    }

    /// Applies node key rotations read from the durable store at start
    /// (``Router/restoreRotations(_:now:)``).
    /// - Returns: the ones learned.
    @discardableResult
    package func restoreRotations(_ entries: [NodeKeyRotation]) -> [NodeKeyRotation] {
        state.withLockedValue { $0.router.restoreRotations(entries, now: .now) }
    }

    /// Replaces the `c25519` credentials after a reload (``Router/replaceSecureLogin(_:)``).
    package func replaceSecureLogin(_ factory: any SecureHandshakeFactory) {
        state.withLockedValue { $0.router.replaceSecureLogin(factory) }
    }

    /// Answers a `reload` command once the configuration was applied or refused.
    package func reloadFinished(_ id: SessionID, command: UInt64, refusal: String?, changes: [String]) {
        run { $0.reloadFinished(id, command: command, refusal: refusal, changes: changes, now: .now) }
    }

    /// Sends `!TERM! <reason>` to every session and closes them.
    package func shutdown(reason: String) {
        run { $0.shutdown(reason: reason, now: .now) }
    }

    /// Runs `body` with read access to the router (for status views).
    package func inspect<T: Sendable>(_ body: (borrowing Router) -> T) -> T {
        state.withLockedValue { body($0.router) }
    }

    // MARK: - Execution

    /// Runs a router input. Sends and closes are handed to their endpoints while the lock is
    /// still held, so bytes reach every endpoint in exactly the order the router produced them,
    /// whichever thread (event loop, password worker, FUSE, manager) made the call. Endpoints
    /// never block and never call back into the hub synchronously. Other actions (which may
    /// call the hub) run after the lock is released.
    private func run(_ body: (inout Router) -> [RouterAction]) {
        perform(execute({ body(&$0.router) }))
    }

    /// Runs `body` under the lock and delivers its sends, closes and typed messages; returns
    /// what is left (for the caller to perform after the lock is released).
    private func execute(_ body: (inout State) -> [RouterAction]) -> Leftover {
        let memory = self.memory
        return state.withLockedValue { state in
            // The router counts queued output against limits.memory too; endpoints count the
            // router's share when deciding whether to drop a slow reader.
            state.router.setExternalMemory(memory.outputBytes)
            let actions = body(&state)
            Self.persist(&state)
            memory.routerBytes = state.router.memoryHeld
            return Self.deliver(actions, in: &state)
        }
    }

    /// Runs a router input that opens a session, registering `endpoint` for it before any of
    /// its output is delivered (the first bytes may be for the new session).
    /// - Parameter session: the new session in the input's result, nil if none was opened.
    private func open<Opened>(_ endpoint: any SessionEndpoint, session: (Opened) -> SessionID?,
                              _ body: (inout Router) -> (Opened, [RouterAction])) -> Opened {
        let (opened, leftover) = state.withLockedValue { state -> (Opened, Leftover) in
            let (opened, actions) = body(&state.router)
            Self.persist(&state)
            if let id = session(opened) { state.endpoints[id] = endpoint }
            return (opened, Self.deliver(actions, in: &state))
        }
        perform(leftover)
        return opened
    }

    /// Carries out what an input left for after the lock: door follow-ups (answering parked
    /// reads, never under the hub's lock), then the other actions in order.
    private func perform(_ leftover: Leftover) {
        for followUp in leftover.followUps { followUp() }
        for action in leftover.others { performOther(action) }
    }

    /// Performs sends, closes and typed deliveries; returns the rest.
    ///
    /// Sends to the same session are joined into one write (a pipelined burst of 64 commands
    /// becomes one write to the zenka instead of 64); a close or a switch to encryption first
    /// flushes what was joined for that session, so each session's byte order is kept. Typed
    /// messages reach door endpoints here too, in router order; what they leave to do comes
    /// back as follow-ups.
    private static func deliver(_ actions: [RouterAction], in state: inout State) -> Leftover {
        // The usual input answers one session with one message: no joining needed.
        if actions.count == 1, case .send(let id, let bytes) = actions[0] {
            state.endpoints[id]?.send(bytes)
            return Leftover()
        }
        var leftover = Leftover()
        // Few sessions per input (a burst goes to one zenka, its replies to one client), so a
        // short list searched from its end beats hashing.
        var joined: [(id: SessionID, bytes: [UInt8])] = []
        func flush(_ id: SessionID, _ state: inout State) {
            guard let index = joined.lastIndex(where: { $0.id == id }) else { return }
            state.endpoints[id]?.send(joined[index].bytes)
            joined[index].bytes = []
        }
        for action in actions {
            switch action {
            case .send(let id, let bytes):
                if let index = joined.lastIndex(where: { $0.id == id }) {
                    joined[index].bytes.append(contentsOf: bytes)
                } else {
                    joined.append((id, bytes))
                }
            case .deliver(let id, let message):
                if let followUp = state.doors[id]?.deliver(message) { leftover.followUps.append(followUp) }
            case .close(let id):
                flush(id, &state)
                if let endpoint = state.endpoints.removeValue(forKey: id) {
                    endpoint.close()
                    endpoint.detached()
                }
                if let followUp = state.doors.removeValue(forKey: id)?.closed() { leftover.followUps.append(followUp) }
            case .encrypt(let id, let keys):
                flush(id, &state)
                state.endpoints[id]?.encrypt(with: keys)
            case .event(.join(_, let id)):
                state.endpoints[id]?.loggedIn()
                leftover.others.append(action)
            default:
                leftover.others.append(action)
            }
        }
        for entry in joined where !entry.bytes.isEmpty { state.endpoints[entry.id]?.send(entry.bytes) }
        return leftover
    }

    /// Logs a refusal at `notice`, with the origin as `uid` or `address`, within the origin's
    /// share of ``refusalLinesPerSecond``.
    private func logRefusal(origin: Origin?, _ message: Logger.Message, _ metadata: Logger.Metadata) {
        let key = origin.map(RefusalSource.origin) ?? .local
        let (admitted, suppressed) = refusals.withLockedValue { $0.admit(key, now: Timestamp.now.monotonic) }
        for entry in suppressed { logSuppressed(entry) }
        guard admitted else { return }
        var metadata = metadata
        metadata.merge(key.metadata) { $1 }
        logger.notice(message, metadata: metadata)
    }

    private func logSuppressed(_ entry: (origin: RefusalSource, count: Int)) {
        var metadata = entry.origin.metadata
        metadata["suppressed"] = "\(entry.count)"
        logger.notice("refusal notices suppressed", metadata: metadata)
    }

    /// Text from a client, made safe for a log line: control characters become `?` and it is
    /// cut at 200 characters (a command path may be as long as `limits.line`).
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return text.unicodeScalars.count > 200 ? cleaned + "..." : cleaned
    }

    private func performOther(_ action: RouterAction) {
        switch action {
        case .checkCredential(let id, let origin, let check):
            guard let checker = delegates.withLockedValue({ $0.checkers[check.method] }) else {
                run { $0.credentialChecked(id, verdict: .refused(reason: "no checker for '\(check.method)'"), now: .now) }
                return
            }
            let pool = workers.withLockedValue { pools in
                if let pool = pools[check.method] { return pool }
                let pool = BlockingWorkers(name: "cube-auth", width: checker.width)
                pools[check.method] = pool
                return pool
            }
            pool.submit(origin: origin) { [self] in
                // The session may have gone while the check waited: spare the work.
                guard inspect({ $0.summary(of: id) != nil }) else { return }
                let verdict = checker.check(check)
                run { $0.credentialChecked(id, verdict: verdict, now: .now) }
            }
        case .startZenka(let name):
            let start = delegates.withLockedValue { $0.startZenka }
            if start?(name) != true {
                logger.info("no manager can start on-demand zenka", metadata: ["zenka": "\(name)"])
                run { $0.zenkaStartFailed(name, now: .now) }
            }
        case .scale(let order):
            if let scale = delegates.withLockedValue({ $0.scale }) {
                scale(order)
            } else if case .start(let name) = order {
                logger.info("no manager can start zenka instances", metadata: ["zenka": "\(name)"])
                run { $0.zenkaStartFailed(name, now: .now) }
            }
        case .planPools:
            // Without a server's timer (a hub in a test) the pools are planned at each tick.
            delegates.withLockedValue { $0.planPools }?()
        case .event(let event):
            switch event {
            case .link, .node, .scale, .burst: logger.info("\(event)")
            case .advertRejected, .receiptRefused: logger.warning("\(event)")
            case .revoked, .keyRotated: logger.notice("\(event)")
            case .loginFailed(let session, let method, let user, let origin, let reason):
                logRefusal(origin: origin, "login failed", [
                    "session": "\(session)", "method": "\(method)", "user": "\(Self.printable(user))",
                    "reason": "\(reason)",
                ])
            case .commandRefused(let session, let user, let origin, let command):
                logRefusal(origin: origin, "command refused", [
                    "session": "\(session)", "user": "\(Self.printable(user))", "command": "\(Self.printable(command))",
                    "reason": "no access rule allows it",
                ])
            default: logger.debug("\(event)")
            }
            for observer in delegates.withLockedValue({ $0.observers.values }) { observer(event) }
        case .dial(let address):
            delegates.withLockedValue { $0.dial }?(address)
        case .hangUp(let address):
            delegates.withLockedValue { $0.hangUp }?(address)
        case .reload(let id, let command):
            if let reload = delegates.withLockedValue({ $0.reload }) {
                reload(id, command)
            } else {
                reloadFinished(id, command: command, refusal: "this cube cannot reload", changes: [])
            }
        case .resume(let id):
            guard let endpoint = state.withLockedValue({ $0.endpoints[id] }) else { return }
            endpoint.pauseReading()
            endpoint.later(afterNanoseconds: 1_000_000) { [self] in resume(id, endpoint) }
        case .saveRevocations(let text):
            delegates.withLockedValue { $0.saveRevocations }?(text)
        case .nodeKeyRotated(let rotation):
            delegates.withLockedValue { $0.nodeKeyRotated }?(rotation)
        case .send, .close, .encrypt, .deliver:
            break
        }
    }

    /// Whom a refusal notice is counted against (``LogThrottle``).
    enum RefusalSource: Hashable, Sendable, CustomStringConvertible {
        case origin(Origin)
        /// A session inside the process.
        case local
        /// Origins beyond ``LogThrottle/maximumOrigins``, together.
        case other

        var description: String {
            switch self {
            case .origin(let origin): origin.description
            case .local: "local"
            case .other: "other"
            }
        }

        /// `uid=<n>` or `address=<address>`, else `origin=local|other`.
        var metadata: Logger.Metadata {
            switch self {
            case .origin(.uid(let uid)): ["uid": "\(uid)"]
            case .origin(.address(let address)): ["address": "\(address)"]
            case .local, .other: ["origin": "\(description)"]
            }
        }
    }

    /// Gives a session whose turn ended with messages buffered its next turn; reading from
    /// it starts again once nothing is left (``RouterAction/resume(_:)``).
    private func resume(_ id: SessionID, _ endpoint: any SessionEndpoint) {
        let started = ContinuousClock.now
        var backlog = false
        var leftover = execute { state in
            let actions = state.router.received(EmptyCollection(), from: id, now: .now)
            backlog = actions.contains(.resume(id))
            return actions
        }
        guard backlog else {
            endpoint.resumeReading()
            perform(leftover)
            return
        }
        // The next turn comes no sooner than this one took (see SocketEndpoint.later).
        let took = ContinuousClock.now - started
        let nanoseconds = took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000
        leftover.others.removeAll { $0 == .resume(id) }
        perform(leftover)
        endpoint.later(afterNanoseconds: nanoseconds) { [self] in resume(id, endpoint) }
    }
}
