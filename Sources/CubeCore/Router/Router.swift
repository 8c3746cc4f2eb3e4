/// The routing state machine of a cube: sessions, logins, routes, local commands.
///
/// Pure: it performs no I/O, reads no clock and draws no entropy of its own. Each input is
/// a `mutating` method named for what happened; it returns the ``RouterAction``s its owner
/// must carry out, in order. The owner serialises all calls (one lock or one thread).
package struct Router: Sendable {
    /// The running configuration; ``reconfigure(_:now:)`` replaces what can change live.
    package internal(set) var configuration: CubeConfiguration
    let hasher: any KeyHasher
    /// Runs `c25519` handshakes; nil when the node has no identity key (method not offered).
    /// A reload may replace it (new authorized keys), never add or remove it.
    var secureLogin: (any SecureHandshakeFactory)?
    /// Seconds east of UTC, for times shown to users.
    let utcOffset: Int
    var random: SplitMix64

    var sessions: [SessionID: Session] = [:]
    /// Logged-in sessions per user name, in login order (fan-out order), and when each was last seen.
    var users = UserDirectory()
    var routes = RouteTable()
    var nextRouteID: RouteID = 1
    var zenkaKeys = ZenkaKeys()
    var onDemand = OnDemandTable()
    /// Balanced zenki: queues, draining sessions, commands in flight to other nodes (docs/pooling.md).
    var pools = PoolTable()
    /// Offers and leases (docs/market.md); the router only wires it in.
    var market = Market()
    /// Sessions watching routed traffic (`watch`).
    var trafficWatch = TrafficWatch()
    /// Sessions whose peer sent its end of input, closed once served (Router+InputEnd).
    var sessionsEnding: Set<SessionID> = []
    /// Failed logins, undecided checks and waiting sessions per origin.
    var throttle = LoginThrottle()
    /// Per user name: requests routed to it and their latencies (bounded).
    var targetCounters = TargetCounterTable()
    /// The network of cubes; nil when this node takes no part (no identity key).
    var network: NetworkState?
    /// Revoked keys and certificates, and the c25519 sessions they would close (Router+Revocations).
    var revocations = RevocationList()
    /// Whether ``network`` is set (fixed at start). Asked on every routed command, where
    /// `network != nil` would copy the whole network state to answer.
    let inNetwork: Bool
    /// What users make the cube hold, against `limits.memory` (docs/security.md "Resource limits").
    var memory: MemoryBudget
    /// Work one session may have done per input before the others get their turn: one unit per
    /// message, plus one per KiB of a local listing. nil = no limit (the transcripts). The
    /// hub sets it: one read of 64 KiB can hold 8,000 `commands`, and twenty sessions doing
    /// that kept every other client waiting for seconds (make soak, docs/security.md).
    package var turnBudget: Int?
    /// Work done in the current turn (see ``turnBudget``).
    var turnCost = 0
    /// Work done since start.
    package internal(set) var stats = RouterStats()
    /// The sender of the last routed command and its access patterns (Router+AccessMemo).
    var accessMemo: AccessMemo?
    /// The path the last route kept, shared by the next one with the same bytes (``routePath(_:)``).
    var lastRoutePath: [UInt8] = []
    let started: Timestamp

    /// - Parameters:
    ///   - configuration: limits, users, access rules and the node name.
    ///   - hasher: digests one-time zenka keys.
    ///   - seed: seeds session and route ids.
    ///   - utcOffset: seconds east of UTC for displayed times.
    ///   - now: the start time.
    ///   - network: signs and checks adverts; nil = this node takes no part in a network.
    package init(configuration: CubeConfiguration, hasher: any KeyHasher, secureLogin: (any SecureHandshakeFactory)? = nil,
                network: NetworkSetup? = nil, seed: UInt64, utcOffset: Int = 0, now: Timestamp) {
        self.configuration = configuration
        self.memory = MemoryBudget(limit: configuration.limits.memory, share: configuration.limits.memoryPerUser)
        self.network = network.map { NetworkState($0, configuration: configuration) }
        self.inNetwork = network != nil
        self.hasher = hasher
        self.secureLogin = secureLogin
        self.random = SplitMix64(seed: seed)
        self.utcOffset = utcOffset
        self.started = now
    }

    // MARK: - Inputs

    /// A connection was accepted: allocates its session and sends the banner.
    /// - Parameter address: the remote address of a TCP peer (failed logins are counted per address).
    package mutating func connected(transport: Transport, peer: PeerIdentity?, address: String? = nil,
                                   now: Timestamp) -> (SessionID, [RouterAction]) {
        let id = newSessionID()
        guard sessions.count < configuration.limits.sessions else {
            // Never registered: the owner writes the notice and drops the connection.
            return (id, [.send(id, Render.terminate("too many sessions")), .close(id)])
        }
        let origin = peer.map { Origin.uid($0.uid) } ?? address.map { Origin.address($0) }
        if let origin, isThrottled(origin, now: now) {
            return (id, [.send(id, Wire.loginThrottled), .close(id)])
        }
        // Sessions that have not logged in are bounded per origin, so one peer cannot fill the
        // session table with connections that never log in.
        if let origin, !throttle.sessionWaits(origin, limit: configuration.limits.preAuthSessions) {
            return (id, [.send(id, Wire.line(">:| too many sessions waiting to log in")), .close(id)])
        }
        let decoder = FrameDecoder(mode: .linesOnly, maximumLineLength: configuration.limits.preAuthLine)
        sessions[id] = Session(id: id, transport: transport, peer: peer, origin: origin, since: now,
                               phase: .login(LoginState()), decoder: decoder)
        return (id, [.send(id, Wire.banner)])
    }

    /// Opens an already-authenticated session inside the cube process, without the login.
    /// - Parameters:
    ///   - kind: ``SessionKind/zenka`` for a zenka the manager runs over stdio.
    ///   - door: the session takes typed messages and submits typed commands
    ///     (``submit(_:from:now:)``, ``replied(_:from:now:)``): the mount and the manager. Without
    ///     it (a `stdio` zenka) it speaks the wire protocol like any other session.
    package mutating func connectLocal(user: String, transport: Transport, kind: SessionKind = .inProcess,
                                       door: Bool = false, now: Timestamp) -> (SessionID, [RouterAction]) {
        let id = addSessionWithoutLogin(transport: transport, now: now)
        sessions[id]?.isDoor = door
        var actions: [RouterAction] = []
        let method: (any AuthMethod)? = if case .client(let name) = kind { AuthMethods.named(name) } else { nil }
        activate(id, user: user, subname: nil, kind: kind, method: method, now: now, actions: &actions)
        return (id, actions)
    }

    /// A session whose identity the owner already established (in-process sessions, dialled
    /// links): it skips the pre-auth phase; ``activate(_:user:subname:kind:method:now:actions:)`` it next.
    mutating func addSessionWithoutLogin(transport: Transport, now: Timestamp) -> SessionID {
        let id = newSessionID()
        let decoder = FrameDecoder(mode: .linesOnly, maximumLineLength: configuration.limits.preAuthLine)
        sessions[id] = Session(id: id, transport: transport, peer: nil, origin: nil, since: now, phase: .login(LoginState()),
                               decoder: decoder)
        return id
    }

    /// Bytes arrived from a session.
    package mutating func received(_ bytes: some Collection<UInt8>, from id: SessionID, now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id] else { return [] }
        session.decoder.append(bytes)
        if session.isLink { session.lastHeard = now.monotonic }
        var actions: [RouterAction] = []
        // Input waiting for a password check is bounded like one line after login.
        if case .verifying = session.phase, session.decoder.bufferedByteCount > configuration.limits.line {
            actions.append(.send(id, Wire.speakProtocol7))
            close(id, now: now, actions: &actions)
            return actions
        }
        // A read that comes while the session waits for its next turn (the owner may still
        // hand over what it read before it paused reading) waits with the rest: otherwise each
        // such read started a turn of its own, and one session had several at once.
        if session.hasBacklog, !bytes.isEmpty {
            if let account = session.account { settleInput(session, account, now: now, actions: &actions) }
            return actions
        }
        process(id, now: now, actions: &actions)
        if let account = session.account, !session.isGone { settleInput(session, account, now: now, actions: &actions) }
        // Only a session resumed after its turn gets input after its end (an empty read).
        if session.inputEnded { settleEndedInput(session, now: now, actions: &actions) }
        return actions
    }

    /// The session's connection is gone (closed by the peer, by an error, or after ``RouterAction/close(_:)``).
    package mutating func disconnected(_ id: SessionID, now: Timestamp) -> [RouterAction] {
        var actions: [RouterAction] = []
        remove(id, now: now, actions: &actions)
        return actions
    }

    /// Periodic housekeeping: login deadlines, route timeouts and expired zenka keys. Call about
    /// once a second.
    package mutating func tick(now: Timestamp) -> [RouterAction] {
        var actions: [RouterAction] = []
        closeLateLogins(now: now, actions: &actions)
        expireRoutes(now: now, actions: &actions)
        expireQueuedCommands(now: now, actions: &actions)
        expirePoolQueues(now: now, actions: &actions)
        pools.sample(now: now.monotonic)
        scaleTick(now: now, actions: &actions)
        // Asked again each second while wanted: the cube ignores it when it plans already,
        // and a request lost to a race between its last call and a new queued command is made good.
        if pools.planningAsked { actions.append(.planPools) }
        for name in pools.namesWaiting { drainPool(name, now: now, actions: &actions) }
        expireLeases(now: now, actions: &actions)
        // Forget failed logins older than the throttling window, also of origins that never return.
        throttle.forgetOld(now: now.monotonic)
        users.compact()
        zenkaKeys.expire(now: now.monotonic)
        networkTick(now: now, actions: &actions)
        if !trafficWatch.isEmpty { reportWatchDrops(now: now, actions: &actions) }
        if !sessionsEnding.isEmpty { settleEndedInputs(now: now, actions: &actions) }
        return actions
    }

    /// Tells every session `!TERM! <reason>` and closes it (graceful shutdown).
    package mutating func shutdown(reason: String, now: Timestamp) -> [RouterAction] {
        var actions: [RouterAction] = []
        for id in sessions.keys.sorted() {
            actions.append(terminate(id, reason))
            close(id, now: now, actions: &actions)
        }
        return actions
    }

    // MARK: - Queries for observers

    /// Sessions that are logged in, with their user names, in id order.
    package var activeSessions: [(id: SessionID, user: String, subname: String?)] {
        sessions.values.filter(\.isActive).sorted { $0.id < $1.id }.compactMap { session in
            session.user.map { (session.id, $0, session.subname) }
        }
    }

    /// Number of sessions, logged in or not.
    package var sessionCount: Int { sessions.count }

    /// Number of open routes.
    package var routeCount: Int { routes.count }

    // MARK: - Internals shared by the extensions

    /// Runs every complete frame buffered for `id` through the current phase.
    mutating func process(_ id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        // Sessions are objects: the decoder is mutated in place, and one look-up serves every
        // frame of the read (a frame that ends the session marks it gone).
        guard let session = sessions[id] else { return }
        turnCost = 0
        session.hasBacklog = false
        // A link's adverts change the routes once per turn, not once per advert.
        defer { if session.isLink, network?.unsettled == true { settleTopology(now: now, actions: &actions) } }
        while !session.isGone {
            if let turnBudget, turnCost >= turnBudget, session.decoder.bufferedByteCount > 0 {
                session.hasBacklog = true
                actions.append(.resume(id))
                return
            }
            turnCost += 1
            switch session.phase {
            case .verifying:
                return
            case .secureLogin(let state, var handshake):
                guard let frame = session.decoder.next() else { return }
                secureLoginLine(frame, state: state, handshake: &handshake, from: id, now: now, actions: &actions)
            case .login:
                guard let frame = session.decoder.next() else { return }
                handleLogin(frame, from: id, now: now, actions: &actions)
            case .linkPending(let link):
                // The dialer's first message (decrypted, so it accepted our key): the link opens
                // and the message is read as the link's own.
                guard session.decoder.bufferedByteCount > 0 else { return }
                // At most a few links per neighbour (both sides dialled, a redial overlapping
                // the old link): every handshake of a trusted node opened another spare, and
                // 300 of them took sessions from everyone (a hostile tester's finding).
                guard (network?.linkCount(to: link.node) ?? 0) < NetworkState.linksPerNode else {
                    actions.append(terminate(id, "too many links from \(link.node)"))
                    close(id, now: now, actions: &actions)
                    return
                }
                openLink(id, link, now: now, actions: &actions)
            case .active:
                // Lines are parsed in place: the frame is dropped before the decoder's next call.
                guard let frame = session.decoder.nextBorrowed() else { return }
                handleActive(frame, from: session, now: now, actions: &actions)
            }
        }
    }

    /// Marks a session as logged in and switches it to the post-auth decoder.
    /// - Parameter method: the auth method that logged it in; nil for sessions without a login.
    mutating func activate(_ id: SessionID, user: String, subname: String?, kind: SessionKind, method: (any AuthMethod)?,
                           now: Timestamp, actions: inout [RouterAction]) {
        guard let session = sessions[id] else { return }
        if let origin = session.origin { throttle.sessionStoppedWaiting(origin) }
        let pending = session.decoder.takeRemainingBytes()
        var decoder = FrameDecoder(mode: .messages, maximumLineLength: configuration.limits.line,
                                   maximumBodyLength: configuration.limits.body)
        // Peers that log in like the original's count bodies in characters until they ask for
        // bytes; c25519, links and in-process sessions are always ours (docs/protocol.md §5).
        if session.transport == .unix && method?.countsCharacters == true { decoder.sizeUnit = .characters }
        decoder.append(pending)
        session.decoder = decoder
        session.phase = .active
        session.user = user
        session.subname = subname
        session.kind = kind
        session.initialized = kind != .zenka
        let account = memory.account(for: user, isLink: session.link != nil)
        account.sessions += 1
        session.account = account
        users.joined(id, as: user, wall: now.wall)
        stats.logins += 1
        actions.append(.event(.join(user: user, session: id)))
        if let link = session.link { linkOpened(id, link, now: now, actions: &actions) }
        drainOnDemandQueue(for: user, now: now, actions: &actions)
        if balancedDefinition(user) != nil {
            pools.joined(user)
            // Other nodes learn of the new instance at the next 100 ms, not the next tick: a
            // burst's instances take their share of a surge at once (docs/pooling.md "Surges").
            if inNetwork { askForPlanning(actions: &actions) }
            // An instance whose compute lease ended before it logged in (docs/pooling.md "Bursts").
            if pools.compute.joinedMustDrain(user) { drainOne(user, forLease: true, actions: &actions) }
        }
        drainPool(user, now: now, actions: &actions)
    }

    /// Closes a session: tells the owner, then forgets it (its routes collapse now).
    mutating func close(_ id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        guard sessions[id] != nil else { return }
        actions.append(.close(id))
        remove(id, now: now, actions: &actions)
    }

    /// Forgets a session and every route it is part of.
    mutating func remove(_ id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        guard let session = sessions.removeValue(forKey: id) else { return }
        session.isGone = true
        if session.inputEnded { sessionsEnding.remove(id) }
        revocations.sessionClosed(id)
        if !session.isActive, let origin = session.origin { throttle.sessionStoppedWaiting(origin) }
        if case .verifying = session.phase { credentialCheckEnded(session) }
        // A c25519 handshake abandoned half-way cost a signature and a key exchange: count it
        // like a failed login, so a peer cannot make the cube sign without limit.
        if case .secureLogin = session.phase, let origin = session.origin {
            recordFailure(of: origin, now: now)
        }
        // Sorted, so collapse notices go out in the order the routes were made.
        for (slot, route) in routes.ordered(session.sourceRoutes) where routes.holds(slot, id: route.id) {
            endRoute(slot)
            if case .leaseRequest(let lease) = route.purpose { endLease(lease, reason: nil, actions: &actions) }
            if case .burst(let name, let action) = route.purpose { burstFailed(action, for: name, now: now, actions: &actions) }
        }
        collapseTargetRoutes(of: session, actions: &actions)
        marketSessionLeft(session, now: now, actions: &actions)
        if session.isWatching { trafficWatch.stop(session: id) }
        if session.hasQueued { unqueued(onDemand.remove(source: id)) }
        // Counted per session (``PoolTable/holdsQueued(by:)``): a session with nothing waiting
        // costs nothing here, one with commands waiting only those (docs/pooling.md "Queue").
        if pools.holdsQueued(by: id) { unqueued(pools.takeQueued(by: id)) }
        if let account = session.account {
            memory.charge(-session.chargedInput, to: account)
            session.chargedInput = 0
            account.sessions -= 1
            memory.release(account)
        }
        guard let user = session.user, session.isActive else { return }
        // A session that withdrew at the end of its input left the directory then.
        if !session.withdrawn { leaveDirectory(session, user: user, now: now, actions: &actions) }
        if let link = session.link { linkClosed(id, link, now: now, actions: &actions) }
    }

    /// Answers `FALSE route collapsed` to the sources of the routes sent to `session`, which
    /// will not answer them (it is gone, or its input ended), and ends those routes. A route the
    /// session sent to itself is answered only while it is still there (withdrawn).
    mutating func collapseTargetRoutes(of session: Session, actions: inout [RouterAction]) {
        for (slot, route) in routes.ordered(session.targetRoutes.values) where routes.holds(slot, id: route.id) {
            endRoute(slot)
            if case .leaseRequest(let lease) = route.purpose { refuseLease(lease, actions: &actions) }
            if route.source != session.id || !session.isGone {
                routeFailed(route)
                stats.routesCollapsed += 1
                actions.append(answer(route.source, route.sourceCommandID, .falseReply, Wire.routeCollapsed))
            }
        }
    }

    /// Takes a logged-in session out of the users it can be reached as: nothing is routed to it
    /// from now on.
    mutating func leaveDirectory(_ session: Session, user: String, now: Timestamp, actions: inout [RouterAction]) {
        users.left(session.id, of: user, wall: now.wall)
        pools.sessionLeft(session.id, of: user)
        actions.append(.event(.leave(user: user, session: session.id)))
    }

    mutating func newSessionID() -> SessionID {
        while true {
            let id = 1_000_000 + random.next() % 9_000_000
            if sessions[id] == nil { return id }
        }
    }
}
