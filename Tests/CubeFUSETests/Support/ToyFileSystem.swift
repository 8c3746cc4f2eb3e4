import CubeFUSE
import Glibc
import Synchronization

/// A tiny in-memory tree for mount tests:
/// `/hello` (static), `/stream` (reads park until ``push(_:)``), `/inbox` (records writes),
/// `/dir/` (children added and removed by the test).
final class ToyFileSystem: FileSystem {
    static let root: UInt64 = 1
    static let hello: UInt64 = 2
    static let stream: UInt64 = 3
    static let inbox: UInt64 = 4
    static let dir: UInt64 = 5
    static let helloText = Array("hello world\n".utf8)

    struct Write: Sendable, Equatable {
        var uid: UInt32
        var bytes: [UInt8]
    }

    private struct State {
        var children: [String: UInt64] = [:]
        var nextIno: UInt64 = 100
        var log: [UInt8] = []
        var cursors: [UInt64: Int] = [:]
        var nextHandle: UInt64 = 1
        var parked: [UInt64: ReadRequest] = [:]
        var pollHandles: [UInt64: PollHandle] = [:]
        var pollCalls = 0
        var interrupts = 0
        var writes: [Write] = []
        var openFlags: [Int32] = []
        var forgotten: [UInt64] = []
    }

    /// The toy's only lock; replies and notifications happen after it is released.
    private let state = Mutex(State())

    // MARK: - Test controls

    /// Adds `name` under `/dir` and returns the invalidation to send.
    func addChild(_ name: String) -> Invalidation {
        state.withLock { state in
            state.children[name] = state.nextIno
            state.nextIno += 1
        }
        return .entry(parent: Self.dir, name: name)
    }

    /// Removes `name` from `/dir` and returns the invalidation to send.
    func removeChild(_ name: String) -> Invalidation? {
        guard let ino = state.withLock({ $0.children.removeValue(forKey: name) }) else { return nil }
        return .delete(parent: Self.dir, child: ino, name: name)
    }

    /// Appends to the stream, answers parked reads and wakes pollers (callable from any thread).
    func push(_ text: String) {
        let (answers, pollers) = state.withLock { state -> ([(ReadRequest, [UInt8])], [PollHandle]) in
            state.log += Array(text.utf8)
            var answers: [(ReadRequest, [UInt8])] = []
            for (handle, request) in state.parked {
                answers.append((request, Self.take(&state, handle: handle, size: request.size)))
            }
            state.parked.removeAll()
            return (answers, Array(state.pollHandles.values))
        }
        for (request, bytes) in answers { request.reply(bytes: bytes) }
        for poller in pollers { poller.notify() }
    }

    var parkedCount: Int { state.withLock { $0.parked.count } }
    var pollCalls: Int { state.withLock { $0.pollCalls } }
    var interrupts: Int { state.withLock { $0.interrupts } }
    var writes: [Write] { state.withLock { $0.writes } }
    var openFlags: [Int32] { state.withLock { $0.openFlags } }

    // MARK: - FileSystem

    func lookup(parent: UInt64, name: String, context: RequestContext) -> Result<Entry, Errno> {
        let ino: UInt64? = state.withLock { state in
            switch parent {
            case Self.root: ["hello": Self.hello, "stream": Self.stream, "inbox": Self.inbox, "dir": Self.dir][name]
            case Self.dir: state.children[name]
            default: nil
            }
        }
        guard let ino, let attributes = attributes(of: ino) else { return .failure(.noSuchFileOrDirectory) }
        // Long TTLs under /dir: only the notifier can make a removed child disappear quickly.
        let ttl: Double = parent == Self.dir ? 60 : 1
        return .success(Entry(attributes: attributes, entryTimeout: ttl, attributeTimeout: ttl))
    }

    func getattr(ino: UInt64, context: RequestContext) -> Result<AttributeReply, Errno> {
        guard let attributes = attributes(of: ino) else { return .failure(.noSuchFileOrDirectory) }
        return .success(AttributeReply(attributes: attributes, timeout: 1))
    }

    private func attributes(of ino: UInt64) -> Attributes? {
        switch ino {
        case Self.root, Self.dir: return Attributes(ino: ino, kind: .directory, permissions: 0o755)
        case Self.hello:
            return Attributes(ino: ino, kind: .regularFile, permissions: 0o444, size: UInt64(Self.helloText.count))
        case Self.stream: return Attributes(ino: ino, kind: .regularFile, permissions: 0o444)
        case Self.inbox: return Attributes(ino: ino, kind: .regularFile, permissions: 0o666)
        default:
            let exists = state.withLock { $0.children.values.contains(ino) }
            return exists ? Attributes(ino: ino, kind: .regularFile, permissions: 0o644) : nil
        }
    }

    func readdir(ino: UInt64, context: RequestContext) -> Result<[DirectoryEntry], Errno> {
        switch ino {
        case Self.root:
            return .success([
                DirectoryEntry(name: "hello", ino: Self.hello, kind: .regularFile),
                DirectoryEntry(name: "stream", ino: Self.stream, kind: .regularFile),
                DirectoryEntry(name: "inbox", ino: Self.inbox, kind: .regularFile),
                DirectoryEntry(name: "dir", ino: Self.dir, kind: .directory),
            ])
        case Self.dir:
            let children = state.withLock { $0.children }
            return .success(
                children.sorted { $0.key < $1.key }.map {
                    DirectoryEntry(name: $0.key, ino: $0.value, kind: .regularFile)
                })
        default:
            return .failure(.notDirectory)
        }
    }

    func open(ino: UInt64, flags: Int32, context: RequestContext) -> Result<OpenResult, Errno> {
        let handle = state.withLock { state -> UInt64 in
            defer { state.nextHandle += 1 }
            state.openFlags.append(flags)
            if ino == Self.stream { state.cursors[state.nextHandle] = 0 }
            return state.nextHandle
        }
        switch ino {
        case Self.stream: return .success(OpenResult(handle: handle, directIO: true, nonSeekable: true))
        case Self.hello: return .success(OpenResult(handle: handle, directIO: false, keepCache: true))
        default: return .success(OpenResult(handle: handle, directIO: true))
        }
    }

    func read(ino: UInt64, handle: UInt64, size: Int, offset: Int64, context: RequestContext, request: ReadRequest) {
        switch ino {
        case Self.hello:
            let start = min(Int(offset), Self.helloText.count)
            request.reply(bytes: Array(Self.helloText[start..<min(start + size, Self.helloText.count)]))
        case Self.stream:
            readStream(handle: handle, size: size, request: request)
        default:
            request.reply(bytes: [])
        }
    }

    private func readStream(handle: UInt64, size: Int, request: ReadRequest) {
        let available = state.withLock { state -> [UInt8]? in
            let bytes = Self.take(&state, handle: handle, size: size)
            if !bytes.isEmpty || request.flags & O_NONBLOCK != 0 { return bytes }
            state.parked[handle] = request
            return nil
        }
        switch available {
        case .some(let bytes) where bytes.isEmpty: request.reply(error: .resourceTemporarilyUnavailable)
        case .some(let bytes): request.reply(bytes: bytes)
        case .none:
            request.onInterrupt { [weak self, weak request] in
                self?.state.withLock { state in
                    if state.parked[handle] === request { state.parked.removeValue(forKey: handle) }
                    state.interrupts += 1
                }
            }
        }
    }

    private static func take(_ state: inout State, handle: UInt64, size: Int) -> [UInt8] {
        let cursor = state.cursors[handle] ?? state.log.count
        let end = min(state.log.count, cursor + size)
        state.cursors[handle] = end
        return Array(state.log[cursor..<end])
    }

    func write(ino: UInt64, handle: UInt64, bytes: [UInt8], offset: Int64, context: RequestContext)
        -> Result<Int, Errno>
    {
        guard ino == Self.inbox else { return .failure(.permissionDenied) }
        state.withLock { $0.writes.append(Write(uid: context.uid, bytes: bytes)) }
        return .success(bytes.count)
    }

    func poll(ino: UInt64, handle: UInt64, events: PollEvents, pollHandle: PollHandle?) -> Result<PollEvents, Errno> {
        state.withLock { state in
            state.pollCalls += 1
            if let pollHandle { state.pollHandles[handle] = pollHandle }
            let cursor = state.cursors[handle] ?? state.log.count
            return .success(cursor < state.log.count ? .readable : [])
        }
    }

    func release(ino: UInt64, handle: UInt64, flags: Int32) {
        state.withLock { state in
            state.cursors.removeValue(forKey: handle)
            state.pollHandles.removeValue(forKey: handle)
        }
    }

    func setattr(ino: UInt64, changes: AttributeChanges, handle: UInt64?, context: RequestContext)
        -> Result<AttributeReply, Errno>
    {
        guard ino == Self.inbox, changes.size == 0 || changes.size == nil,
            let attributes = attributes(of: ino)
        else { return .failure(.notPermitted) }
        return .success(AttributeReply(attributes: attributes, timeout: 0))
    }

    func unlink(parent: UInt64, name: String, context: RequestContext) -> Result<Void, Errno> {
        guard parent == Self.dir else { return .failure(.notPermitted) }
        let removed = state.withLock { $0.children.removeValue(forKey: name) }
        return removed == nil ? .failure(.noSuchFileOrDirectory) : .success(())
    }

    func forget(ino: UInt64) {
        state.withLock { $0.forgotten.append(ino) }
    }
}
