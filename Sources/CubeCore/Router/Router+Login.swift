// The pre-auth mini-protocol (PROTOCOL.md §3): list, select, selected, close and the
// credential line of the selected method. Every failure closes the session [D].
extension Router {
    /// Methods offered on a transport, longest name first, equal lengths in reverse order.
    func offeredMethods(on transport: Transport) -> [String] {
        let methods = configuration.authMethods.filter { method in
            if method == "c25519" { return secureLogin != nil }
            switch transport {
            case .unix, .local: return true
            case .tcp: return false  // only the encrypted, key-authenticated method crosses a network
            }
        }
        return methods.sorted { $0.count != $1.count ? $0.count > $1.count : $0 > $1 }
    }

    mutating func handleLogin(_ frame: Frame, from id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        // A copy of the session is fine here: logins happen once per session, not per message.
        guard case .line(let line) = frame, let session = sessions[id], case .login(var state) = session.phase else {
            actions.append(.send(id, Wire.speakProtocol7))
            close(id, now: now, actions: &actions)
            return
        }
        var request = line[...]
        if request.starts(with: "auth.".utf8) { request = request.dropFirst(5) }
        let text = String(decoding: request, as: UTF8.self)
        if text == "close" {
            actions.append(.send(id, Wire.connectionClosed))
            return close(id, now: now, actions: &actions)
        }
        if text == "list" {
            state.listCount += 1
            switch state.listCount {
            case 1:
                let list = offeredMethods(on: session.transport).map { $0 + "\n" }.joined()
                actions.append(.send(id, Array("SIZE \(list.utf8.count)\n\(list)".utf8)))
            case 2:
                actions.append(.send(id, Wire.listAgain))
            default:
                actions.append(.send(id, Wire.authMethodsError))
                return close(id, now: now, actions: &actions)
            }
            sessions[id]?.phase = .login(state)
            return
        }
        if text == "selected" {
            let reply = state.method.map { Render.reply(id: 0, .trueReply, $0) } ?? Wire.notSelectedYet
            actions.append(.send(id, reply))
            return
        }
        if text.hasPrefix("select ") {
            return select(String(text.dropFirst(7)), state: state, session: session, now: now, actions: &actions)
        }
        guard let method = state.method else {
            actions.append(.send(id, Bytes.isBlank(line) ? Wire.authMethodsError : Wire.speakProtocol7))
            return close(id, now: now, actions: &actions)
        }
        credential(line, method: method, state: state, session: session, now: now, actions: &actions)
    }

    private mutating func select(_ method: String, state: LoginState, session: Session, now: Timestamp,
                                 actions: inout [RouterAction]) {
        var state = state
        let id = session.id
        state.selectCount += 1
        guard Names.isMethodName(method.utf8), state.selectCount <= 3 else {
            actions.append(.send(id, Wire.authMethodsError))
            return close(id, now: now, actions: &actions)
        }
        if offeredMethods(on: session.transport).contains(method) {
            state.method = method
            actions.append(.send(id, Wire.selectContinue))
            if method == "c25519", let secureLogin {
                sessions[id]?.phase = .secureLogin(state, secureLogin.start())
                return
            }
        } else {
            state.failedSelects += 1
            guard state.failedSelects < 3 else {
                actions.append(.send(id, Wire.authMethodsError))
                return close(id, now: now, actions: &actions)
            }
            actions.append(.send(id, Wire.selectUnavailable))
        }
        sessions[id]?.phase = .login(state)
    }

    private mutating func credential(_ line: [UInt8], method: String, state: LoginState, session: Session,
                                     now: Timestamp, actions: inout [RouterAction]) {
        let id = session.id
        let words = line.split(separator: Wire.space, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        switch method {
        case "unix":
            guard words.count == 2, words[0].elementsEqual("auth".utf8), Names.isUserName(words[1]) else {
                return malformed(id, now: now, actions: &actions)
            }
            let name = String(decoding: words[1], as: UTF8.self)
            if session.transport == .unix, let peer = session.peer, unixAllowed(name, peer: peer) {
                actions.append(.send(id, Wire.authTrue))
                activate(id, user: name, subname: nil, method: method, now: now, actions: &actions)
            } else {
                let reason = if let peer = session.peer {
                    "uid \(peer.uid) is unix user '\(peer.userName ?? "?")', which may not log in as '\(name)'"
                } else {
                    "no peer credentials (unix logins only on the unix socket)"
                }
                refuse(id, method: method, user: name, reason: reason, now: now, actions: &actions)
            }
        case "pwd":
            guard words.count >= 3, words[0].elementsEqual("auth".utf8), Names.isUserName(words[1]) else {
                return malformed(id, now: now, actions: &actions)
            }
            let name = String(decoding: words[1], as: UTF8.self)
            let password = Array(line.dropFirst(words[0].count + words[1].count + 2))
            guard !password.isEmpty else { return malformed(id, now: now, actions: &actions) }
            guard let stored = configuration.users[name]?.passwordHash else {
                return refuse(id, method: method, user: name, reason: "no password set for this user", now: now,
                              actions: &actions)
            }
            // Refused before Argon2 runs: checks still undecided count as failures, so an origin
            // never has more than `limits.login-failures` checks queued (docs/security.md).
            let origin = session.origin ?? "-"
            if isThrottled(origin, now: now) {
                actions.append(.send(id, Wire.loginThrottled))
                return close(id, now: now, actions: &actions)
            }
            passwordChecks[origin, default: 0] += 1
            session.phase = .verifying(state, user: name)
            actions.append(.verifyPassword(id, origin: origin, password: password, storedHash: stored))
        case "zenka":
            zenkaLogin(words, session: session, now: now, actions: &actions)
        default:
            malformed(id, now: now, actions: &actions)
        }
    }

    /// `<name>[<sub>] <key>`: one-time keys registered with `session-key`.
    private mutating func zenkaLogin(_ words: [[UInt8]], session: Session, now: Timestamp, actions: inout [RouterAction]) {
        let id = session.id
        guard words.count == 2, !words[1].isEmpty else { return malformed(id, now: now, actions: &actions) }
        var nameBytes = words[0]
        var sub: String?
        if let (name, subname) = Names.splitSubname(words[0]) {
            nameBytes = name
            sub = String(decoding: subname, as: UTF8.self)
        }
        guard Names.isUserName(nameBytes) else { return malformed(id, now: now, actions: &actions) }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let digest = hasher.digest(words[1])
        guard var keys = zenkaKeys[name],
              let index = keys.firstIndex(where: { $0.expires > now.monotonic && constantTimeEqual($0.digest, digest) })
        else { return refuse(id, method: "zenka", user: name, reason: "no valid one-time key", now: now, actions: &actions) }
        keys.remove(at: index)
        zenkaKeys[name] = keys.isEmpty ? nil : keys
        actions.append(.send(id, Wire.authTrue))
        activate(id, user: name, subname: sub, method: "zenka", now: now, actions: &actions)
    }

    /// One line of a running `c25519` handshake.
    mutating func secureLoginLine(_ frame: Frame, state: LoginState, handshake: inout any SecureHandshake,
                                  from id: SessionID, now: Timestamp, actions: inout [RouterAction]) {
        guard case .line(let line) = frame else { return malformed(id, now: now, actions: &actions) }
        switch handshake.receive(line) {
        case .send(let bytes):
            sessions[id]?.phase = .secureLogin(state, handshake)
            actions.append(.send(id, bytes))
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
            activate(id, user: user, subname: nil, method: "c25519", now: now, actions: &actions)
        case .authenticatedNode(let node, let keys):
            // A link needs a network to join and a valid, foreign node name; anything else is
            // a configuration mistake on one side, refused like an unknown key.
            // Clear bytes behind `auth` are refused as above.
            guard acceptsLink(from: node), sessions[id]?.decoder.bufferedByteCount == 0
            else { return refuse(id, method: "c25519", user: node, reason: "link from this node not accepted", now: now,
                                 actions: &actions) }
            let address = sessions[id]?.origin.map { String($0.dropFirst(3)) } ?? "-"
            actions.append(.send(id, Wire.authTrue))
            actions.append(.encrypt(id, keys))
            openLink(id, LinkInfo(node: node, address: address, outbound: false), now: now, actions: &actions)
        case .malformed:
            malformed(id, now: now, actions: &actions)
        case .denied(let who):
            refuse(id, method: "c25519", user: who, reason: "key not authorized", now: now, actions: &actions)
        case .refused(let reason):
            refuse(id, method: "c25519", user: "-", reason: reason, reply: Wire.line("FALSE " + reason), now: now,
                   actions: &actions)
        }
    }

    /// Whether the unix peer may act as `name`: listed in `:unix:` or the implicit `unix-<user>`.
    func unixAllowed(_ name: String, peer: PeerIdentity) -> Bool {
        guard let unixUser = peer.userName else { return false }
        if configuration.unixImplicit && name == "unix-" + unixUser { return true }
        return configuration.users[name]?.unixUsers.contains(unixUser) ?? false
    }

    /// Records a failed login for the session's origin, once: the session leaves the handshake
    /// phase, so closing it does not count it again as an abandoned handshake.
    mutating func countFailure(_ id: SessionID, now: Timestamp) {
        guard let session = sessions[id] else { return }
        if let origin = session.origin { recordFailure(of: origin, now: now) }
        session.phase = .login(LoginState())
    }

    /// Origins whose failed logins are remembered at most: past it, one is forgotten for each
    /// new one. One record per address for the one-minute window made 50,000 connections from
    /// as many addresses grow the cube by 4 MB (make soak --measure-churn); an attacker with
    /// more addresses than this is not held back per address anyway (docs/security.md).
    static let maximumFailureOrigins = 4096

    /// Remembers a failed login (or an abandoned `c25519` handshake) of `origin`.
    mutating func recordFailure(of origin: String, now: Timestamp) {
        if failedLogins[origin] == nil, failedLogins.count >= Self.maximumFailureOrigins,
           let forgotten = failedLogins.keys.first {
            failedLogins[forgotten] = nil
        }
        failedLogins[origin, default: []].append(now.monotonic)
    }

    /// Whether `origin` failed to log in too often in the last minute. Password checks of the
    /// origin that are queued or running count as failures until they are decided.
    mutating func isThrottled(_ origin: String, now: Timestamp) -> Bool {
        let window: UInt64 = 60_000_000_000
        let recent = (failedLogins[origin] ?? []).filter { now.monotonic &- $0 < window }
        failedLogins[origin] = recent.isEmpty ? nil : recent
        return recent.count + passwordChecks[origin, default: 0] >= configuration.limits.loginFailures
    }

    /// The password check of `session` (in `.verifying`) was decided, or its session is gone.
    mutating func passwordCheckEnded(_ session: Session) {
        let origin = session.origin ?? "-"
        let count = passwordChecks[origin, default: 1] - 1
        passwordChecks[origin] = count > 0 ? count : nil
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

    private mutating func refuse(_ id: SessionID, method: String, user: String, reason: String,
                                 reply: [UInt8] = Wire.authError, now: Timestamp, actions: inout [RouterAction]) {
        stats.failedLogins += 1
        countFailure(id, now: now)
        let origin = sessions[id]?.origin
        actions.append(.event(.loginFailed(session: id, method: method, user: user, origin: origin, reason: reason)))
        actions.append(.send(id, reply))
        close(id, now: now, actions: &actions)
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
