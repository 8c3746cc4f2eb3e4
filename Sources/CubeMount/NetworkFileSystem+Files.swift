import CubeCore
import CubeFS
import CubeFUSE
import CubeRuntime
#if canImport(Glibc)
import Glibc
#endif

// Opening, reading, writing and polling the files of the tree.
extension NetworkFileSystem {
    package func open(ino: UInt64, flags: Int32, context: RequestContext) -> Result<OpenResult, Errno> {
        operations.count(.open)
        guard let node = state.withLock({ $0.nodes.node(for: ino) }), exists(node) else {
            return .failure(.noSuchFileOrDirectory)
        }
        guard let role = node.role else { return .failure(.isDirectory) }
        let access = flags & O_ACCMODE
        if role == .cmd {
            if access == O_RDONLY { return .failure(.permissionDenied) }
        } else if !node.isAsk, access != O_RDONLY {
            return .failure(.permissionDenied)
        }
        if role == .stats, let refused = statsRefusal(uid: context.uid) { return .failure(refused) }
        var file = OpenFile(node: node, uid: context.uid)
        if node.isAsk { file.askAccount = memoryAccount(of: context.uid) }
        if node.isTextFile { file.text = Array(TextViews.render(node, of: self, uid: context.uid).utf8) }
        let port = node.port
        // The backlog counts only the replies this reader may see (docs/filesystem.md "`out`").
        let reader = PortLog.Reader(uid: context.uid)
        let handle = state.withLock { state -> UInt64? in
            guard state.mayOpen(uid: context.uid) else { return nil }
            switch role {
            case .out: if let port { file.cursor = state.ports[port, default: PortLog()].cursor(backlog: 64, for: reader) }
            case .events: file.cursor = state.events.cursor(backlog: 0, for: reader)
            default: break
            }
            return state.add(file)
        }
        // Nothing was charged for it yet: refused, it leaves nothing behind.
        guard let handle else { return .failure(.tooManyOpenFiles) }
        let stream = role == .out || role == .events || role == .cmd || node.isAsk
        return .success(OpenResult(handle: handle, directIO: true, nonSeekable: stream))
    }

    /// Why `uid` may not read a `stats` file: it shows what `stats <name>` answers, so the
    /// access rules of `unix-<user>` for `stats` apply, as to a command written to `cmd`
    /// (`EACCES`; `EAGAIN` when the user name cannot be read now; docs/filesystem.md). Before,
    /// any user of a shared mount read what the rules refused them on the socket.
    private func statsRefusal(uid: UInt32) -> Errno? {
        let lookup = userNames(uid)
        guard let name = lookup.name else {
            return lookup.failure == nil ? .permissionDenied : .resourceTemporarilyUnavailable
        }
        return hub.configuration.access.allows(user: "unix-" + name, command: "stats".utf8) ? nil : .permissionDenied
    }

    package func read(ino: UInt64, handle: UInt64, size: Int, offset: Int64, context: RequestContext,
                     request: ReadRequest) {
        operations.count(.read)
        /// `ask`: what the read took is no longer held (``settleHeldReplies(_:)``).
        enum Answer { case bytes([UInt8], ask: Bool), error(Errno), parked }
        let answer = state.withLock { state -> Answer in
            guard var file = state.files[handle] else { return .error(.badFileDescriptor) }
            if file.node.isTextFile {
                let start = min(Int(offset), file.text.count)
                return .bytes(Array(file.text[start..<min(file.text.count, start + size)]), ask: false)
            }
            if file.node.role == .cmd { return .error(.badFileDescriptor) }
            if let bytes = state.take(&file, limit: size) {
                state.files[handle] = file
                return .bytes(bytes, ask: file.node.isAsk)
            }
            if request.flags & O_NONBLOCK != 0 { return .error(.resourceTemporarilyUnavailable) }
            file.parked.append(request)
            state.files[handle] = file
            return .parked
        }
        switch answer {
        case .bytes(let bytes, let ask):
            request.reply(bytes: bytes)
            if ask { settleHeldReplies(handle) }
        case .error(let error): request.reply(error: error)
        case .parked:
            request.onInterrupt { [weak self] in
                self?.state.withLock { state in state.files[handle]?.parked.removeAll { $0 === request } }
            }
        }
    }

    package func write(ino: UInt64, handle: UInt64, bytes: [UInt8], offset: Int64, context: RequestContext)
        -> Result<Int, Errno> {
        operations.count(.write)
        // In place: the open file is not copied out of the table and back for every write.
        guard let taken = state.withLock({ state -> (frames: [Frame], holds: Bool, skipped: Errno?)? in
            state.files[handle]?.lastWriter = context.uid
            return state.files[handle]?.takeWritten(bytes)
        }) else { return .failure(.badFileDescriptor) }
        let error = submit(taken.frames, handle: handle, uid: context.uid)
        if taken.holds, let refused = chargeHeldInput(handle: handle, uid: context.uid) { return .failure(error ?? refused) }
        if let failed = error ?? taken.skipped { return .failure(failed) }
        return .success(bytes.count)
    }

    /// Charges what `handle`'s decoder holds of an unfinished command to the writer's memory
    /// share, as the router does for a session's buffered input (docs/security.md "Resource
    /// limits"): 16 MiB of an unfinished multi-line command per open file, and any number of
    /// files, were held uncounted. Past the share (or the cube's limit) the message is dropped,
    /// `FALSE memory limit reached [ … ]` goes to `out` and the write fails with `ENOMEM`.
    /// Never under the mount's lock: the hub's lock is taken first everywhere else.
    func chargeHeldInput(handle: UInt64, uid: UInt32) -> Errno? {
        guard let (held, charged, account, port) = state.withLock({ state -> (Int, Int, String?, PortTarget?)? in
            state.files[handle].map { ($0.decoder.heldByteCount, $0.chargedInput, $0.chargedTo, $0.node.commandPort) }
        }), held != charged else { return nil }
        // The account of the first charge takes every later one and the refund: a name lookup
        // that fails later must not move bytes to another account.
        let user = account ?? memoryAccount(of: uid)
        guard let refusal = hub.chargeMountInput(held - charged, user: user) else {
            state.withLock { state in
                state.files[handle]?.chargedInput = held
                state.files[handle]?.chargedTo = user
            }
            return nil
        }
        // Refused: the message is dropped and what was charged for it returned.
        let kept = state.withLock { state -> Int in
            _ = state.files[handle]?.decoder.refuseCurrentMessage()
            state.files[handle]?.skipping = .outOfMemory
            let kept = state.files[handle]?.decoder.heldByteCount ?? 0
            state.files[handle]?.chargedInput = kept
            state.files[handle]?.chargedTo = user
            return kept
        }
        // What stays (a partial line of the skipped message) is charged whatever the limits say,
        // as the router settles a session's input: refused here, the refund later would take
        // the account below what it holds.
        _ = hub.chargeMountInput(kept - charged, user: user, force: true)
        if let port {
            let line = Render.reply(id: 0, .falseReply, refusal)
            carryOut(state.withLock { state in
                var wakeups = state.publish(line, to: port, owner: uid)
                // Like any refusal, to the `ask` written to as well (docs/filesystem.md).
                if state.files[handle]?.node.isAsk == true {
                    state.files[handle]?.askReplies += line
                    state.files[handle]?.askWrote = true
                    wakeups.merge(state.drain(handle))
                }
                return wakeups
            })
        }
        return .outOfMemory
    }

    /// Counted only: a `FLUSH` comes with every `close(2)` of a descriptor of the open file,
    /// also a duplicate's (a child that inherited it exits), so an unfinished line sent here was
    /// cut in two by any `/bin/true` between two writes. It is sent at ``release`` instead, when
    /// the last descriptor is closed (docs/filesystem.md "`cmd`").
    package func flush(ino: UInt64, handle: UInt64, context: RequestContext) -> Result<Void, Errno> {
        operations.count(.flush)
        return .success(())
    }

    package func release(ino: UInt64, handle: UInt64, flags: Int32) {
        operations.count(.release)
        sendUnfinishedLine(handle: handle)
        guard let file = state.withLock({ state -> OpenFile? in
            guard let file = state.remove(handle) else { return nil }
            state.closed(file)
            return file
        }) else { return }
        for request in file.parked { request.reply(bytes: []) }
        // An unfinished command dies with its file, and so do its unread replies: what they
        // held is returned to their accounts.
        if file.chargedInput != 0, let account = file.chargedTo { _ = hub.chargeMountInput(-file.chargedInput, user: account) }
        if file.askCharged != 0, let account = file.askAccount { _ = hub.chargeMountInput(-file.askCharged, user: account) }
    }

    /// A last line without LF is sent when the file's last descriptor is closed, as its last
    /// writer's. Nobody waits for the answer of a release: a refusal shows in `out` only.
    private func sendUnfinishedLine(handle: UInt64) {
        let (frames, writer) = state.withLock { state -> ([Frame], UInt32?) in
            guard let file = state.files[handle], file.decoder.bufferedByteCount > 0 else { return ([], nil) }
            state.files[handle]?.decoder.append([Wire.lf])
            var frames: [Frame] = []
            while let frame = state.files[handle]?.decoder.next() { frames.append(frame) }
            return (frames, file.lastWriter ?? file.uid)
        }
        guard let writer else { return }
        _ = submit(frames, handle: handle, uid: writer)
        _ = chargeHeldInput(handle: handle, uid: writer)
    }

    package func poll(ino: UInt64, handle: UInt64, events: PollEvents, pollHandle: PollHandle?) -> Result<PollEvents, Errno> {
        operations.count(.poll)
        return state.withLock { state in
            guard var file = state.files[handle] else { return .failure(.badFileDescriptor) }
            if file.node.role == .cmd { return .success(.writable) }
            var ready = PollEvents()
            if state.isReadable(file) { ready.insert(.readable) }
            if file.node.isAsk { ready.insert(.writable) }
            // Until readable, the kernel waits for a notification: `ask`, always writable, must
            // keep the handle too, or a poller for POLLIN sleeps to its timeout.
            if !ready.contains(.readable), let pollHandle { file.pollHandle = pollHandle }
            state.files[handle] = file
            return .success(ready)
        }
    }
}

extension Node {
    /// Files whose content is generated once at open.
    var isTextFile: Bool { role?.isText ?? false }
}

// `rmdir leases/<id>` (or `rm -r`) releases the lease as the unix user removing it
// (docs/market.md "The market as files"); `rm leases/<id>/<file>` does nothing, so that
// `rm -r` gets to the directory.
extension NetworkFileSystem {
    package func unlink(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno> {
        operations.count(.unlink)
        guard case .lease(let lease)? = state.withLock({ $0.nodes.node(for: parent) }) else { return .failure(.notPermitted) }
        guard exists(.lease(lease)), DirectoryTable.lease.contains(where: { $0.rawValue == name }) else {
            return .failure(.noSuchFileOrDirectory)
        }
        return .success(())
    }

    package func rmdir(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno> {
        operations.count(.rmdir)
        guard state.withLock({ $0.nodes.node(for: parent) }) == .directory(.leases) else { return .failure(.notPermitted) }
        guard let lease = UInt64(name), exists(.lease(lease)) else {
            // A lease held on another node is released there (`<node>.release <id>`), not here.
            let remote = hub.inspect { $0.remoteLeases.contains { "\($0.node):\($0.lease)" == name } }
            return .failure(remote ? .notPermitted : .noSuchFileOrDirectory)
        }
        let lookup = userNames(context.uid)
        guard let user = lookup.name else {
            return .failure(lookup.failure == nil ? .permissionDenied : .resourceTemporarilyUnavailable)
        }
        let (released, _) = hub.releaseLease(lease, user: "unix-" + user)
        return released ? .success(()) : .failure(.permissionDenied)
    }
}