import CFuse3
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Translates libfuse requests into ``FileSystem`` calls and replies exactly once.
///
/// All handler methods run on the thread serving the mount (its loop thread or its request
/// source's). State shared with other threads (unmount, the notifier, file system threads replying
/// to parked reads) sits behind the mutexes below; none of them is held while calling the file
/// system or libfuse. Lock order: none needed, locks never nest.
final class Bridge: Sendable {
    let fileSystem: any FileSystem
    let logger: Logger
    let gate: ReplyGate
    let reads: ReadRegistry

    private struct Bookkeeping {
        /// Kernel references per inode (lookup/create replies minus forgets).
        var lookupCounts: [UInt64: UInt64] = [:]
        /// Directory listings snapshotted at `opendir`, by directory handle.
        var listings: [UInt64: [DirectoryEntry]] = [:]
        var nextDirectoryHandle: UInt64 = 1
        /// Open file and directory handles, for draining at unmount.
        var openHandles = 0
        /// Unsupported operations already logged.
        var loggedUnsupported: Set<String> = []
        /// The kernel's INIT has been answered; notifications before that would latch ENOSYS.
        var initialized = false
    }

    /// Protected by its own mutex.
    private let bookkeeping = Mutex(Bookkeeping())

    init(fileSystem: any FileSystem, logger: Logger) {
        self.fileSystem = fileSystem
        self.logger = logger
        self.gate = ReplyGate()
        self.reads = ReadRegistry(gate: gate, logger: logger)
    }

    // MARK: - Bookkeeping

    var isInitialized: Bool { bookkeeping.withLock { $0.initialized } }
    var openHandleCount: Int { bookkeeping.withLock { $0.openHandles } }

    func markInitialized() { bookkeeping.withLock { $0.initialized = true } }

    /// The kernel's reference count for `ino` (0 when unknown).
    func lookupCount(of ino: UInt64) -> UInt64 { bookkeeping.withLock { $0.lookupCounts[ino] ?? 0 } }

    private func addLookup(_ ino: UInt64) {
        bookkeeping.withLock { $0.lookupCounts[ino, default: 0] += 1 }
    }

    func forget(_ ino: UInt64, count: UInt64) {
        let gone = bookkeeping.withLock { state -> Bool in
            let remaining = (state.lookupCounts[ino] ?? 0) &- min(count, state.lookupCounts[ino] ?? 0)
            if remaining == 0 {
                state.lookupCounts.removeValue(forKey: ino)
                return true
            }
            state.lookupCounts[ino] = remaining
            return false
        }
        if gone && ino != UInt64(FUSE_ROOT_ID) { fileSystem.forget(ino: ino) }
    }

    private func adjustOpenHandles(_ delta: Int) { bookkeeping.withLock { $0.openHandles += delta } }

    /// Replies `ENOSYS` for an operation the bridge does not offer, logging it once.
    func unsupported(_ raw: OpaquePointer, _ operation: String) {
        let first = bookkeeping.withLock { $0.loggedUnsupported.insert(operation).inserted }
        if first { logger.debug("unsupported FUSE operation; replying ENOSYS", metadata: ["op": "\(operation)"]) }
        _ = fuse_reply_err(raw, ENOSYS)
    }

    // MARK: - Names and attributes

    func lookup(_ raw: OpaquePointer, parent: UInt64, name: String) {
        switch fileSystem.lookup(parent: parent, name: name, context: context(raw)) {
        case .success(let entry): replyEntry(raw, entry)
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    /// Counts the reference before replying (a forget may follow at once) and undoes it on failure.
    private func replyEntry(_ raw: OpaquePointer, _ entry: Entry) {
        var param = entry.fuseParameter
        addLookup(entry.attributes.ino)
        if fuse_reply_entry(raw, &param) != 0 { forget(entry.attributes.ino, count: 1) }
    }

    func getattr(_ raw: OpaquePointer, ino: UInt64) {
        reply(raw, fileSystem.getattr(ino: ino, context: context(raw)))
    }

    func setattr(_ raw: OpaquePointer, ino: UInt64, changes: AttributeChanges, handle: UInt64?) {
        reply(raw, fileSystem.setattr(ino: ino, changes: changes, handle: handle, context: context(raw)))
    }

    private func reply(_ raw: OpaquePointer, _ result: Result<AttributeReply, Errno>) {
        switch result {
        case .success(let reply):
            var attributes = reply.attributes.stat
            _ = fuse_reply_attr(raw, &attributes, reply.timeout)
        case .failure(let errno):
            _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    func unlink(_ raw: OpaquePointer, parent: UInt64, name: String) {
        replyStatus(raw, fileSystem.unlink(parent: parent, name: name, context: context(raw)))
    }

    func rmdir(_ raw: OpaquePointer, parent: UInt64, name: String) {
        replyStatus(raw, fileSystem.rmdir(parent: parent, name: name, context: context(raw)))
    }

    func mkdir(_ raw: OpaquePointer, parent: UInt64, name: String, mode: UInt32) {
        switch fileSystem.mkdir(parent: parent, name: name, mode: mode, context: context(raw)) {
        case .success(let entry): replyEntry(raw, entry)
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    func rename(_ raw: OpaquePointer, parent: UInt64, name: String, newParent: UInt64, newName: String) {
        let result = fileSystem.rename(
            parent: parent, name: name, newParent: newParent, newName: newName, context: context(raw))
        replyStatus(raw, result)
    }

    private func replyStatus(_ raw: OpaquePointer, _ result: Result<Void, Errno>) {
        switch result {
        case .success: _ = fuse_reply_err(raw, 0)
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    // MARK: - Directories

    func opendir(_ raw: OpaquePointer, ino: UInt64, info: UnsafeMutablePointer<fuse_file_info>) {
        switch fileSystem.readdir(ino: ino, context: context(raw)) {
        case .failure(let errno):
            _ = fuse_reply_err(raw, errno.rawValue)
        case .success(let children):
            let listing =
                [
                    DirectoryEntry(name: ".", ino: ino, kind: .directory),
                    DirectoryEntry(name: "..", ino: ino, kind: .directory),
                ] + children
            let handle = bookkeeping.withLock { state -> UInt64 in
                let handle = state.nextDirectoryHandle
                state.nextDirectoryHandle += 1
                state.listings[handle] = listing
                state.openHandles += 1
                return handle
            }
            CFuse3_file_info_set_dir_handle(info, handle)
            if fuse_reply_open(raw, info) != 0 { releasedir(handle: handle) }
        }
    }

    /// Serves the snapshot from `offset` (an index into it) as far as `size` allows.
    func readdir(_ raw: OpaquePointer, handle: UInt64, size: Int, offset: Int64) {
        guard let listing = bookkeeping.withLock({ $0.listings[handle] }) else {
            _ = fuse_reply_err(raw, EBADF)
            return
        }
        var buffer = [CChar](repeating: 0, count: max(size, 1))
        var used = 0
        var index = Int(max(offset, 0))
        buffer.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            while index < listing.count {
                var attributes = stat()
                attributes.st_ino = ino_t(listing[index].ino)
                attributes.st_mode = listing[index].kind.typeBits
                let needed = fuse_add_direntry(
                    raw, base + used, size - used, listing[index].name, &attributes, off_t(index + 1))
                if needed > size - used { break }
                used += needed
                index += 1
            }
        }
        _ = fuse_reply_buf(raw, buffer, used)
    }

    func releasedir(handle: UInt64) {
        bookkeeping.withLock { state in
            if state.listings.removeValue(forKey: handle) != nil { state.openHandles -= 1 }
        }
    }

    // MARK: - Files

    func open(_ raw: OpaquePointer, ino: UInt64, info: UnsafeMutablePointer<fuse_file_info>) {
        let flags = info.pointee.flags
        switch fileSystem.open(ino: ino, flags: flags, context: context(raw)) {
        case .success(let result): replyOpen(raw, ino: ino, result, info: info)
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    /// If the opener was interrupted the reply fails and the kernel will never release: do it here.
    private func replyOpen(
        _ raw: OpaquePointer, ino: UInt64, _ result: OpenResult,
        info: UnsafeMutablePointer<fuse_file_info>
    ) {
        CFuse3_file_info_set_open_flags(
            info, result.handle, result.directIO ? 1 : 0, result.nonSeekable ? 1 : 0, result.keepCache ? 1 : 0)
        adjustOpenHandles(1)
        if fuse_reply_open(raw, info) != 0 {
            adjustOpenHandles(-1)
            fileSystem.release(ino: ino, handle: result.handle, flags: info.pointee.flags)
        }
    }

    func create(
        _ raw: OpaquePointer, parent: UInt64, name: String, mode: UInt32,
        info: UnsafeMutablePointer<fuse_file_info>
    ) {
        let flags = info.pointee.flags
        switch fileSystem.create(parent: parent, name: name, mode: mode, flags: flags, context: context(raw)) {
        case .failure(let errno):
            _ = fuse_reply_err(raw, errno.rawValue)
        case .success(let created):
            let open = created.open
            CFuse3_file_info_set_open_flags(
                info, open.handle, open.directIO ? 1 : 0, open.nonSeekable ? 1 : 0, open.keepCache ? 1 : 0)
            var param = created.entry.fuseParameter
            addLookup(created.entry.attributes.ino)
            adjustOpenHandles(1)
            if fuse_reply_create(raw, &param, info) != 0 {
                forget(created.entry.attributes.ino, count: 1)
                adjustOpenHandles(-1)
                fileSystem.release(ino: created.entry.attributes.ino, handle: open.handle, flags: flags)
            }
        }
    }

    func read(_ raw: OpaquePointer, ino: UInt64, size: Int, offset: Int64, info: UnsafeMutablePointer<fuse_file_info>) {
        let request = ReadRequest(
            raw: raw, ino: ino, handle: info.pointee.fh, size: size, offset: offset, flags: info.pointee.flags,
            context: context(raw), registry: reads)
        // Order matters. libfuse calls the callback at once, holding the request's lock, if an
        // interrupt already arrived; replying there would free the request under that lock. So the
        // callback is registered before the request is listed (that early call finds nothing), and
        // an interrupt that arrived meanwhile is picked up with `fuse_req_interrupted` afterwards.
        fuse_req_interrupt_func(raw, readInterruptTrampoline, Unmanaged.passUnretained(self).toOpaque())
        guard reads.insert(request) else {
            request.reply(bytes: [])
            return
        }
        if fuse_req_interrupted(raw) != 0 { request.interrupt() }
        guard !request.isCompleted else { return }
        fileSystem.read(
            ino: ino, handle: request.handle, size: size, offset: offset, context: request.context,
            request: request)
    }

    func interrupted(_ raw: OpaquePointer) {
        reads.request(for: raw)?.interrupt()
    }

    func write(_ raw: OpaquePointer, ino: UInt64, bytes: [UInt8], offset: Int64, handle: UInt64) {
        switch fileSystem.write(ino: ino, handle: handle, bytes: bytes, offset: offset, context: context(raw)) {
        case .success(let count): _ = fuse_reply_write(raw, min(count, bytes.count))
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    func flush(_ raw: OpaquePointer, ino: UInt64, handle: UInt64) {
        replyStatus(raw, fileSystem.flush(ino: ino, handle: handle, context: context(raw)))
    }

    func release(_ raw: OpaquePointer, ino: UInt64, handle: UInt64, flags: Int32) {
        fileSystem.release(ino: ino, handle: handle, flags: flags)
        adjustOpenHandles(-1)
        _ = fuse_reply_err(raw, 0)
    }

    func poll(_ raw: OpaquePointer, ino: UInt64, handle: UInt64, events: UInt32, pollHandle: OpaquePointer?) {
        let wakeUp = pollHandle.map { PollHandle(raw: $0, gate: gate) }
        switch fileSystem.poll(ino: ino, handle: handle, events: PollEvents(rawValue: events), pollHandle: wakeUp) {
        case .success(let ready): _ = fuse_reply_poll(raw, ready.rawValue)
        case .failure(let errno): _ = fuse_reply_err(raw, errno.rawValue)
        }
    }

    // MARK: - Helpers

    private func context(_ raw: OpaquePointer) -> RequestContext {
        guard let ctx = fuse_req_ctx(raw) else { return RequestContext(uid: 0, gid: 0, pid: 0) }
        return RequestContext(
            uid: ctx.pointee.uid, gid: ctx.pointee.gid, pid: ctx.pointee.pid,
            umask: UInt32(ctx.pointee.umask))
    }
}

/// libfuse's interrupt callback for parked reads; `data` is the bridge (it outlives the session).
private func readInterruptTrampoline(_ raw: OpaquePointer?, _ data: UnsafeMutableRawPointer?) {
    guard let raw, let data else { return }
    Unmanaged<Bridge>.fromOpaque(data).takeUnretainedValue().interrupted(raw)
}
