import CubeCore
import CubeFS
import CubeFUSE
import CubeNet

// Commands written to `cmd`/`ask` and the replies that come back for them.
extension NetworkFileSystem {
    /// Translates and sends frames written to the file `handle` by `uid`; returns the errno of
    /// the first refused command (its reason also goes to `out` as a FALSE line).
    func submit(_ frames: [Frame], handle: UInt64, uid: UInt32) -> Errno? {
        guard !frames.isEmpty else { return nil }
        guard let node = state.withLock({ $0.files[handle]?.node }), case .file(let role, let port?) = node else {
            return .badFileDescriptor
        }
        // Without a user name to speak as, every command is refused (and says why in `out`).
        let session = userSession(for: uid)
        var wire: [UInt8] = []
        var firstError: Errno?
        var wakeups = Wakeups()
        for frame in frames {
            let outcome = state.withLock { $0.translator.translate(frame, for: port) }
            var refusal: CommandTranslator.Refusal?
            switch outcome {
            case .ignored:
                continue
            case .refused(let reason):
                refusal = reason
            case .command(let command):
                guard let session else {
                    refusal = .init(kind: .denied, visibleID: command.visibleID,
                                    text: "uid \(uid) has no unix user name to speak as")
                    break
                }
                switch hub.inspect({ $0.preflight(user: session.user, path: command.path) }) {
                case .accepted:
                    state.withLock { state in
                        state.pending[command.internalID] = MountState.Pending(
                            port: port, visibleID: command.visibleID, handle: role == .ask ? handle : nil,
                            session: session.id, uid: uid)
                        if role == .ask {
                            state.files[handle]?.askPending.insert(command.internalID)
                            state.files[handle]?.askWrote = true
                        }
                    }
                    wire += command.wire
                case .malformed:
                    refusal = .init(kind: .invalid, visibleID: command.visibleID, text: Wire.protocolMismatch)
                case .denied:
                    let path = String(decoding: command.path, as: UTF8.self)
                    refusal = .init(kind: .denied, visibleID: command.visibleID,
                                    text: "command not known or no permission for '\(path)'")
                case .targetMissing:
                    refusal = .init(kind: .missing, visibleID: command.visibleID, text: Wire.clientNotPresent)
                }
            }
            guard let refusal else { continue }
            firstError = firstError ?? Self.errno(for: refusal.kind)
            let line = Render.reply(id: refusal.visibleID, .falseReply, refusal.text)
            wakeups.merge(state.withLock { state in
                var wakeups = state.publish(line, to: port, owner: uid)
                if role == .ask {
                    state.files[handle]?.askReplies += line
                    state.files[handle]?.askWrote = true
                    wakeups.merge(state.drain(handle))
                }
                return wakeups
            })
        }
        wakeups.perform()
        if let session, !wire.isEmpty { hub.received(wire, from: session.id) }
        return firstError
    }

    static func errno(for kind: CommandTranslator.Refusal.Kind) -> Errno {
        switch kind {
        case .invalid: .invalidArgument
        case .denied: .permissionDenied
        case .missing: .noSuchFileOrDirectory
        case .tooLong: .messageTooLong
        }
    }

    /// The router session that speaks for `uid` (created on first use, as `unix-<name>`).
    func userSession(for uid: UInt32) -> MountState.UserSession? {
        if let existing = state.withLock({ $0.sessions[uid] }) { return existing }
        guard let name = UnixUser.name(of: uid) else { return nil }
        let user = "unix-" + name
        let endpoint = UserSessionEndpoint(fileSystem: self, uid: uid)
        let id = hub.connectLocal(endpoint, user: user, transport: .local("fs"))
        let session = MountState.UserSession(id: id, user: user)
        state.withLock { $0.sessions[uid] = session }
        return session
    }

    /// Bytes the router sent to the session of `uid`: replies to commands written through the mount.
    func deliver(_ bytes: [UInt8], toSessionOf uid: UInt32) {
        let wakeups = state.withLock { state -> Wakeups in
            guard var session = state.sessions[uid] else { return Wakeups() }
            session.decoder.append(bytes)
            var wakeups = Wakeups()
            while let frame = session.decoder.next() {
                guard case .reply(let reply) = Message(frame: frame), let pending = state.pending[reply.id] else { continue }
                let line = reply.keyword.hasBody
                    ? Render.body(id: pending.visibleID, reply.keyword, reply.body ?? [])
                    : Render.reply(id: pending.visibleID, reply.keyword, reply.text)
                wakeups.merge(state.publish(line, to: pending.port, owner: pending.uid))
                if let handle = pending.handle, state.files[handle] != nil {
                    state.files[handle]?.askReplies += line
                    if reply.keyword.closesRoute { state.files[handle]?.askPending.remove(reply.id) }
                    wakeups.merge(state.drain(handle))
                }
                if reply.keyword.closesRoute { state.pending[reply.id] = nil }
            }
            state.sessions[uid] = session
            return wakeups
        }
        wakeups.perform()
    }

    /// The router closed the session of `uid` (`term-all`, shutdown): commands still waiting
    /// are answered as collapsed, and the next write opens a new session.
    func sessionClosed(uid: UInt32) {
        let wakeups = state.withLock { state -> Wakeups in
            guard let session = state.sessions.removeValue(forKey: uid) else { return Wakeups() }
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
        wakeups.perform()
    }
}

/// The endpoint of the router session speaking for one unix user through the mount.
final class UserSessionEndpoint: SessionEndpoint {
    private weak let fileSystem: NetworkFileSystem?
    private let uid: UInt32

    init(fileSystem: NetworkFileSystem, uid: UInt32) {
        self.fileSystem = fileSystem
        self.uid = uid
    }

    func send(_ bytes: [UInt8]) { fileSystem?.deliver(bytes, toSessionOf: uid) }

    func close() { fileSystem?.sessionClosed(uid: uid) }
}
