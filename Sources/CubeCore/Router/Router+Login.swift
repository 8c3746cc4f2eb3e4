// The pre-auth mini-protocol (docs/protocol.md §3): list, select, selected, close and the
// credential line of the selected method, judged by the method's entry in `AuthMethods`; the
// login deadline and the verdicts of credential checks run off the router's thread.
// Every failure closes the session [D].
extension Router {
    // MARK: - Inputs: deadlines and credential checks

    /// The login deadline of a session passed; closes it if it is still not logged in.
    package mutating func loginDeadlinePassed(_ id: SessionID, now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id], !session.isActive else { return [] }
        var actions: [RouterAction] = [.send(id, Wire.loginTimeout)]
        close(id, now: now, actions: &actions)
        return actions
    }

    /// Closes every session still not logged in when its login deadline passed.
    ///
    /// Checked by the periodic tick rather than by a timer per connection: ten thousand idle
    /// sessions would otherwise each hold a scheduled task until their deadline.
    mutating func closeLateLogins(now: Timestamp, actions: inout [RouterAction]) {
        let timeout = UInt64(configuration.loginTimeoutSeconds) * 1_000_000_000
        let late = sessions.values.filter { !$0.isActive && now.monotonic &- $0.since.monotonic >= timeout }
        for session in late.sorted(by: { $0.id < $1.id }) {
            actions += loginDeadlinePassed(session.id, now: now)
        }
    }

    /// The result of a ``RouterAction/checkCredential(_:origin:_:)``.
    package mutating func credentialChecked(_ id: SessionID, verdict: CheckVerdict, now: Timestamp) -> [RouterAction] {
        guard let session = sessions[id], case .verifying(let state, let user) = session.phase,
              let method = state.method else { return [] }
        credentialCheckEnded(session)
        var actions: [RouterAction] = []
        switch verdict {
        case .accepted:
            actions.append(.send(id, Wire.authTrue))
            activate(id, user: user, subname: nil, kind: method.kind, method: method, now: now, actions: &actions)
            process(id, now: now, actions: &actions)
            settleEndedInput(session, now: now, actions: &actions)
        case .refused(let reason):
            stats.failedLogins += 1
            countFailure(id, now: now)
            actions.append(.event(.loginFailed(session: id, method: method.name, user: user, origin: session.origin,
                                               reason: reason)))
            actions.append(.send(id, Wire.authError))
            close(id, now: now, actions: &actions)
        }
        return actions
    }

    // MARK: - The mini-protocol

    /// Methods offered on a transport, longest name first, equal lengths in reverse order.
    func offeredMethods(to session: Session, now: Timestamp) -> [any AuthMethod] {
        let context = authContext(for: session, now: now)
        let methods = configuration.authMethods.compactMap(AuthMethods.named).filter { $0.isOffered(in: context) }
        return methods.sorted { $0.name.count != $1.name.count ? $0.name.count > $1.name.count : $0.name > $1.name }
    }

    /// What the methods of the table may see of `session` (docs/protocol.md §3).
    func authContext(for session: Session, now: Timestamp) -> AuthContext {
        AuthContext(transport: session.transport, peer: session.peer, origin: session.origin, configuration: configuration,
                    now: now, hasher: hasher, secureLogin: secureLogin, zenkaKeys: zenkaKeys)
    }

    mutating func handleLogin(_ frame: Frame, from id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        // A copy of the session is fine here: logins happen once per session, not per message.
        guard case .line(let line) = frame, let session = sessions[id], case .login(var state) = session.phase else {
            actions.append(.send(id, Wire.speakProtocol7))
            close(id, now: now, actions: &actions)
            return
        }
        switch state.receive(line, offered: { offeredMethods(to: session, now: now) }) {
        case .send(let bytes):
            session.phase = .login(state)
            sendBeforeLogin(bytes, to: session, now: now, actions: &actions)
        case .sendAndClose(let bytes):
            actions.append(.send(id, bytes))
            close(id, now: now, actions: &actions)
        case .selected(let method):
            actions.append(.send(id, Wire.selectContinue))
            if let handshake = method.selected(in: authContext(for: session, now: now)) {
                session.phase = .secureLogin(state, handshake)
            } else {
                session.phase = .login(state)
            }
        case .credential(let method):
            credential(line, method: method, state: state, session: session, now: now, actions: &actions)
        }
    }

    /// Sends a reply to a pre-auth line, unless it would take what the session was sent before
    /// its login past ``LoginState/outputLimit``: then `>:[ speak protocol 7 ?` and close.
    /// Lines such as `selected` and a handshake's `rotation` have no count of their own, and a
    /// stranger who sends them without reading made the cube queue output up to
    /// `limits.output-queue` + `limits.body` per connection (docs/security.md "Resource limits").
    private mutating func sendBeforeLogin(_ bytes: [UInt8], to session: Session, now: Timestamp,
                                          actions: inout [RouterAction]) {
        let total = Int(session.preLoginOutput) + bytes.count
        guard total <= LoginState.outputLimit else {
            actions.append(.send(session.id, Wire.speakProtocol7))
            return close(session.id, now: now, actions: &actions)
        }
        session.preLoginOutput = UInt32(total)
        actions.append(.send(session.id, bytes))
    }

    /// The credential line of the selected method, judged by the method (``AuthMethods``).
    private mutating func credential(_ line: [UInt8], method: any AuthMethod, state: LoginState, session: Session,
                                     now: Timestamp, actions: inout [RouterAction]) {
        let id = session.id
        var context = authContext(for: session, now: now)
        zenkaKeys = ZenkaKeys()  // the context holds the only copy: using a key copies nothing
        let verdict = method.credential(line, in: &context)
        zenkaKeys = context.zenkaKeys
        switch verdict {
        case .accepted(let user, let subname):
            actions.append(.send(id, Wire.authTrue))
            activate(id, user: user, subname: subname, kind: method.kind, method: method, now: now, actions: &actions)
        case .refused(let user, let reason):
            refuse(id, method: method.name, user: user, reason: reason, now: now, actions: &actions)
        case .malformed:
            malformed(id, now: now, actions: &actions)
        case .unavailable(let user, let reason):
            refuse(id, method: method.name, user: user, reason: reason + "; not counted against the origin",
                   reply: Wire.loginUnavailable, counted: false, now: now, actions: &actions)
        case .check(let check):
            // Refused before the check runs: checks still undecided count as failures, so an
            // origin never has more than `limits.login-failures` checks queued (docs/security.md).
            if let origin = session.origin, isThrottled(origin, now: now) {
                actions.append(.send(id, Wire.loginThrottled))
                return close(id, now: now, actions: &actions)
            }
            if let origin = session.origin { throttle.checkStarted(origin) }
            session.phase = .verifying(state, user: check.user)
            actions.append(.checkCredential(id, origin: session.origin, check))
        }
    }

    /// One line of a running `c25519` handshake.
    mutating func secureLoginLine(_ frame: Frame, state: LoginState, handshake: inout any SecureHandshake,
                                  from id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        guard case .line(let line) = frame else { return malformed(id, now: now, actions: &actions) }
        switch handshake.receive(line) {
        case .send(let bytes):
            guard let session = sessions[id] else { return }
            session.phase = .secureLogin(state, handshake)
            sendBeforeLogin(bytes, to: session, now: now, actions: &actions)
        case .authenticated(let user, let keys):
            // Nothing may follow `auth` before AUTH_TRUE: the client switches to encryption only
            // after reading it. Bytes already here arrived in clear and would run as the user
            // (an injection, as in STARTTLS command injection): refuse the login instead.
            if let waiting = sessions[id]?.decoder.bufferedByteCount, waiting > 0 {
                return refuse(id, method: "c25519", user: user, reason: "bytes sent before AUTH_TRUE", now: now,
                              actions: &actions)
            }
            if let revoked = checkRevocation(id, credentials: handshake.credentials) {
                return refuse(id, method: "c25519", user: user, reason: revoked, reply: Wire.line("FALSE " + revoked), now: now,
                              actions: &actions)
            }
            actions.append(.send(id, Wire.authTrue))
            actions.append(.encrypt(id, keys))
            activate(id, user: user, subname: nil, kind: .client(method: "c25519"), method: nil, now: now, actions: &actions)
        case .authenticatedNode(let node, let keys):
            // A link needs a network to join and a valid, foreign node name; anything else is
            // a configuration mistake on one side, refused like an unknown key.
            // Clear bytes behind `auth` are refused as above.
            guard acceptsLink(from: node), sessions[id]?.decoder.bufferedByteCount == 0
            else { return refuse(id, method: "c25519", user: node, reason: "link from this node not accepted", now: now,
                                 actions: &actions) }
            let address = if case .address(let address) = sessions[id]?.origin { address } else { "-" }
            actions.append(.send(id, Wire.authTrue))
            actions.append(.encrypt(id, keys))
            // The dialer checks our key only after AUTH_TRUE: a link it refuses must not show
            // here as a neighbour, even for a moment (it would flap in this node's adverts at
            // every redial). Its first message opens the link.
            sessions[id]?.phase = .linkPending(LinkInfo(node: node, address: address, peer: nil))
        case .malformed:
            malformed(id, now: now, actions: &actions)
        case .denied(let who):
            refuse(id, method: "c25519", user: who, reason: "key not authorized", now: now, actions: &actions)
        case .refused(let reason):
            refuse(id, method: "c25519", user: "-", reason: reason, reply: Wire.line("FALSE " + reason), now: now,
                   actions: &actions)
        }
    }

    /// Records a failed login for the session's origin, once: the session leaves the handshake
    /// phase, so closing it does not count it again as an abandoned handshake.
    mutating func countFailure(_ id: SessionID, now: Timestamp) {
        guard let session = sessions[id] else { return }
        if let origin = session.origin { recordFailure(of: origin, now: now) }
        session.phase = .login(LoginState())
    }

    /// Remembers a failed login (or an abandoned `c25519` handshake) of `origin`.
    mutating func recordFailure(of origin: Origin, now: Timestamp) {
        throttle.recordFailure(of: origin, now: now.monotonic)
    }

    /// Whether `origin` failed to log in `limits.login-failures` times in the last minute,
    /// credential checks still undecided counted (docs/protocol.md §3.6).
    mutating func isThrottled(_ origin: Origin, now: Timestamp) -> Bool {
        throttle.isThrottled(origin, limit: configuration.limits.loginFailures, now: now.monotonic)
    }

    /// The credential check of `session` (in `.verifying`) was decided, or its session is gone.
    mutating func credentialCheckEnded(_ session: Session) {
        if let origin = session.origin { throttle.checkEnded(origin) }
    }

    private mutating func malformed(_ id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        // A malformed credential counts as a failed login too (it may be a probe).
        countFailure(id, now: now)
        if let session = sessions[id] {
            actions.append(.event(.loginFailed(session: id, method: "-", user: "-", origin: session.origin,
                                               reason: "malformed credential")))
        }
        actions.append(.send(id, Wire.credentialMismatch))
        close(id, now: now, actions: &actions)
    }

    /// Refuses the login: logged as a failed login, answered with `reply`, closed.
    /// - Parameter counted: whether the failure counts against the origin (§3.6); not when the
    ///   credential could not be judged at all (``AuthVerdict/unavailable(user:reason:)``).
    private mutating func refuse(_ id: SessionID, method: String, user: String, reason: String,
                                 reply: [UInt8] = Wire.authError, counted: Bool = true, now: Timestamp,
                                 actions: inout [RouterAction]) {
        stats.failedLogins += 1
        if counted { countFailure(id, now: now) }
        let origin = sessions[id]?.origin
        actions.append(.event(.loginFailed(session: id, method: method, user: user, origin: origin, reason: reason)))
        actions.append(.send(id, reply))
        close(id, now: now, actions: &actions)
    }
}
