import CubeCore
import CubeFS
import CubeFUSE
import CubeRuntime

// Commands written to `cmd`/`ask` and the replies that come back for them.
extension NetworkFileSystem {
    /// Translates the frames written to the file `handle` by `uid` and submits each command
    /// through the hub's door; returns the errno of the first refused command (its reason also
    /// goes to `out` as a FALSE line).
    func submit(_ frames: [Frame], handle: UInt64, uid: UInt32) -> Errno? {
        guard !frames.isEmpty else { return nil }
        guard let node = state.withLock({ $0.files[handle]?.node }), let port = node.commandPort else {
            return .badFileDescriptor
        }
        let ask = node.isAsk ? handle : nil
        var firstError: Errno?
        var wakeups = Wakeups()
        var askFull: String?
        for written in frames {
            // An `ask` whose unread replies took its opener past the memory share takes nothing
            // more until read (docs/filesystem.md "`ask`"): the write fails, and the rest of it
            // is neither sent nor answered into the `ask` (refusal lines added to it, charged
            // past the share, grew it without a bound; a second reader's finding).
            if let ask, let text = state.withLock({ $0.files[ask]?.askRefusal }) {
                askFull = text
                break
            }
            let refusal: CommandTranslator.Refusal
            let frame = node.marketCommand(written)
            switch frame.map({ frame in state.withLock { $0.translator.translate(frame, for: port) } }) {
            case nil: refusal = .init(kind: .invalid, visibleID: 0, text: "one line per command: \(node.marketUsage)")
            case .ignored?: continue
            case .refused(let reason)?: refusal = reason
            case .command(let command)?:
                guard let reason = send(command, port: port, ask: ask, uid: uid, keepRefusal: node.isMarketFile) else {
                    // The router's own refusal of a market command came back while it was
                    // submitted: its FALSE line is already in `out`, the write fails too.
                    let settled = state.withLock { state in
                        state.pending[command.internalID]?.keepRefusal = false
                        return state.settled.removeValue(forKey: command.internalID)
                    }
                    if let settled { firstError = firstError ?? Self.errno(forMarketRefusal: settled) }
                    continue
                }
                refusal = reason
            }
            firstError = firstError ?? Self.errno(for: refusal.kind)
            let line = Render.reply(id: refusal.visibleID, .falseReply, refusal.text)
            wakeups.merge(state.withLock { state in
                var wakeups = state.publish(line, to: port, owner: uid)
                if let ask {
                    state.files[ask]?.askReplies += line
                    state.files[ask]?.askWrote = true
                    wakeups.merge(state.drain(ask))
                }
                return wakeups
            })
            if let ask { settleHeldReplies(ask) }
        }
        if let askFull {
            firstError = .outOfMemory
            wakeups.merge(state.withLock { $0.publish(Render.reply(id: 0, .falseReply, askFull), to: port, owner: uid) })
        }
        carryOut(wakeups)
        return firstError
    }

    /// The `write()` errno of the router's `FALSE` to a market command (docs/market.md "The
    /// market as files"): what is missing `ENOENT`, malformed `EINVAL`, refused `EACCES`, no
    /// capacity left `ENOSPC`, no credit `EDQUOT`, past the memory share `ENOMEM` (as the
    /// mount's own memory refusals), anything else `EIO`.
    static func errno(forMarketRefusal text: String) -> Errno {
        if text.hasPrefix("memory limit reached") { return .outOfMemory }
        return switch MarketRefusal.Kind(replyText: text) {
        case .noSuchOffer?, .noSuchLease?, .providerAbsent?: .noSuchFileOrDirectory
        case .invalidAmount?, .invalidTTL?, .usage?: .invalidArgument
        case .requirementNotMet?, .notYours?, .grantRefused?: .permissionDenied
        case .insufficientCapacity?: .noSpace
        case .insufficientCredit?, .tooCostly?: .quotaExceeded
        case nil: .ioError
        }
    }

    /// Submits one command as `uid` through the door; nil when the router took it, else why not.
    ///
    /// The pending entry its replies look for is filed under the hub's lock as the router takes
    /// the command (``Hub/submit(_:from:registering:)``): a session closed before that is
    /// reported as gone (the command goes again on a fresh session) and one closed after finds
    /// the entry and answers it, so no command waits for a reply that cannot come.
    func send(_ translated: CommandTranslator.Translated, port: PortTarget, ask handle: UInt64?, uid: UInt32,
              keepRefusal: Bool = false) -> CommandTranslator.Refusal? {
        // A closed session is replaced once; a second closure in the same instant is the
        // cube shutting down.
        for _ in 0..<2 {
            // Without a user name to speak as, every command is refused (and says why in `out`);
            // a name that cannot be read now is no verdict (docs/filesystem.md).
            guard let session = userSession(for: uid) else {
                if let reason = userNames(uid).failure {
                    return .init(kind: .unavailable, visibleID: translated.visibleID,
                                 text: "the user name of uid \(uid) cannot be read now [ \(reason) ], try again")
                }
                return .init(kind: .denied, visibleID: translated.visibleID, text: "uid \(uid) has no unix user name to speak as")
            }
            beforeSubmit.withLock { $0 }?(session.id)
            let pending = MountState.Pending(port: port, visibleID: translated.visibleID, handle: handle,
                                             session: session.id, uid: uid, keepRefusal: keepRefusal)
            let outcome = hub.submit(translated.command, from: session.id) { [self] in
                state.withLock { state in
                    state.pending[translated.internalID] = pending
                    if let handle {
                        state.files[handle]?.askPending.insert(translated.internalID)
                        state.files[handle]?.askWrote = true
                    }
                }
            }
            switch outcome {
            case .accepted:
                return nil
            case .refused(let refusal):
                return .init(kind: Self.kind(of: refusal.reason), visibleID: translated.visibleID, text: refusal.text)
            case .noSession:
                state.withLock { state in
                    if state.sessions[uid]?.id == session.id { state.sessions[uid] = nil }
                }
            }
        }
        return .init(kind: .missing, visibleID: translated.visibleID, text: Wire.routeCollapsed)
    }

    /// The translator's kind for a refusal of the router (its errno, docs/filesystem.md).
    static func kind(of reason: CubeCore.Refusal.Reason) -> CommandTranslator.Refusal.Kind {
        switch reason {
        case .malformed: .invalid
        case .denied: .denied
        case .missing: .missing
        case .limit: .limit
        }
    }

    /// The `write()` errno of a refused command (docs/filesystem.md); nil for a limit of the
    /// sender, which fails the command, not the write.
    static func errno(for kind: CommandTranslator.Refusal.Kind) -> Errno? {
        switch kind {
        case .invalid: .invalidArgument
        case .denied: .permissionDenied
        case .missing: .noSuchFileOrDirectory
        case .tooLong: .messageTooLong
        case .limit: nil
        case .unavailable: .resourceTemporarilyUnavailable
        }
    }

    /// The router session that speaks for `uid` (created on first use, as `unix-<name>`).
    func userSession(for uid: UInt32) -> MountState.UserDoor? {
        if let existing = state.withLock({ $0.sessions[uid] }) { return existing }
        guard let name = userNames(uid).name else { return nil }
        let user = "unix-" + name
        let id = hub.connectDoor(user: user, transport: .local("fs")) { id in
            UserSessionEndpoint(fileSystem: self, uid: uid, session: id)
        }
        let session = MountState.UserDoor(id: id, user: user)
        // Another writer of the same uid may have opened one meanwhile: the first one stays
        // and this one is closed (before, it stayed open for the cube's life, one per race).
        let kept = state.withLock { state in
            if let first = state.sessions[uid] { return first }
            state.sessions[uid] = session
            return session
        }
        if kept.id != id { hub.disconnected(id) }
        return kept
    }

    /// A reply the router gave the session of `uid` (under the hub's lock): it goes to the
    /// directory's `out` and to the asking `ask` file; the reads it wakes are returned.
    func received(_ reply: Reply, forSessionOf uid: UInt32) -> Wakeups {
        state.withLock { state -> Wakeups in
            guard let pending = state.pending[reply.id] else { return Wakeups() }
            var visible = reply
            visible.id = pending.visibleID
            let line = Render.reply(visible)
            var wakeups = state.publish(line, to: pending.port, owner: pending.uid)
            if let handle = pending.handle, state.files[handle] != nil {
                state.files[handle]?.askReplies += line
                if reply.keyword.closesRoute { state.files[handle]?.askPending.remove(reply.id) }
                wakeups.merge(state.drain(handle))
            }
            if reply.keyword.closesRoute {
                if pending.keepRefusal, reply.keyword == .falseReply { state.settled[reply.id] = String(decoding: reply.text, as: UTF8.self) }
                state.pending[reply.id] = nil
            }
            return wakeups
        }
    }

    /// The router closed the session of `uid` (`term-all`, shutdown; under the hub's lock):
    /// commands still waiting are answered as collapsed, and the next write opens a new session.
    func sessionClosed(uid: UInt32, session id: SessionID) -> Wakeups {
        state.withLock { state -> Wakeups in
            // Only the session the table holds: a racing writer's spare never entered it.
            guard let session = state.sessions[uid], session.id == id else { return Wakeups() }
            state.sessions[uid] = nil
            var wakeups = Wakeups()
            for (id, pending) in state.pending where pending.session == session.id {
                let line = Render.reply(id: pending.visibleID, .falseReply, Wire.routeCollapsed)
                wakeups.merge(state.publish(line, to: pending.port, owner: pending.uid))
                if let handle = pending.handle, state.files[handle] != nil {
                    state.files[handle]?.askReplies += line
                    state.files[handle]?.askPending.remove(id)
                    wakeups.merge(state.drain(handle))
                }
                state.pending[id] = nil
            }
            return wakeups
        }
    }
}

/// The door of the router session speaking for one unix user through the mount: typed
/// replies in, parked reads answered after the hub's lock is released.
final class UserSessionEndpoint: DoorEndpoint {
    private weak let fileSystem: NetworkFileSystem?
    private let uid: UInt32
    /// Known from birth (``Hub/connectDoor(user:transport:_:)``): a command routed to the
    /// session before the mount's table holds it is refused too, not left to `timeouts.route`.
    private let session: SessionID

    init(fileSystem: NetworkFileSystem, uid: UInt32, session: SessionID) {
        self.fileSystem = fileSystem
        self.uid = uid
        self.session = session
    }

    func deliver(_ message: Message) -> DoorFollowUp? {
        // A command routed to a mount session has nobody to run it: it is refused at once,
        // rather than left open until `timeouts.route` (another user could keep the session
        // `target busy` that way: a hostile second reader). `!TERM!` is followed by the close.
        // Notices (`lease-end` and the like) come without an id and want no answer.
        if case .command(let command) = message { return command.id == 0 ? nil : refuse(command) }
        guard case .reply(let reply) = message, let fileSystem, case let wakeups = fileSystem.received(reply, forSessionOf: uid),
              !wakeups.isEmpty else { return nil }
        return { fileSystem.carryOut(wakeups) }
    }

    /// Answers a command routed to this session with `FALSE`, after the hub's lock.
    private func refuse(_ command: Command) -> DoorFollowUp? {
        guard let hub = fileSystem?.hub else { return nil }
        let session = session
        let reply = Reply(id: command.id, keyword: .falseReply, text: Array(Self.noCommands.utf8))
        return { hub.reply(reply, from: session) }
    }

    /// What a command routed to a mount session gets (docs/filesystem.md).
    static let noCommands = "a mount session runs no commands [ it writes for a unix user ]"

    func closed() -> DoorFollowUp? {
        guard let fileSystem, case let wakeups = fileSystem.sessionClosed(uid: uid, session: session), !wakeups.isEmpty else {
            return nil
        }
        return { fileSystem.carryOut(wakeups) }
    }
}
