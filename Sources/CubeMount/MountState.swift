import CubeCore
import CubeFS
import CubeFUSE

/// Everything the mounted tree keeps between requests; protected by
/// ``NetworkFileSystem``'s mutex and never held while calling the hub or libfuse.
struct MountState: Sendable {
    /// A command sent through the mount, waiting for its final reply.
    struct Pending: Sendable {
        let port: PortTarget
        let visibleID: UInt64
        /// The `ask` file that wrote it, if any.
        let handle: UInt64?
        let session: SessionID
        /// The unix user who wrote the command: only they (and root) read its replies.
        let uid: UInt32
        /// Keep a `FALSE` that ends it in ``settled`` (a market file's command, while it is
        /// submitted: the router's own refusals come back before the door returns, and the
        /// write fails with their errno).
        var keepRefusal = false
    }

    /// Which door session of the router speaks for one unix user (the session itself is the
    /// router's `Session`; this is the mount's handle on it).
    struct UserDoor: Sendable {
        let id: SessionID
        let user: String
    }

    var nodes = NodeTable()
    /// The open files by handle. Opened with ``add(_:)`` and closed with ``remove(_:)`` only,
    /// which keep the indexes below; changed in place otherwise (a file's node never changes
    /// while it is open).
    var files: [UInt64: OpenFile] = [:]
    /// Open handles by node and by port: a reply wakes the readers of its own `out`, not a
    /// walk over every open file. Before, each reply (under the hub's lock) looked at all of
    /// them, and a local user holding 57,000 opens of `README` slowed every reply and login of
    /// everyone (0.23 → 16.4 ms per `ask` round trip; a hostile tester's finding).
    private var handlesByNode: [Node: Set<UInt64>] = [:]
    private var handlesByPort: [PortTarget: Set<UInt64>] = [:]
    /// Open files per non-root uid, for ``openLimitPerUser``.
    private var openByUser: [UInt32: Int] = [:]
    var nextHandle: UInt64 = 1
    var ports: [PortTarget: PortLog] = [:]
    /// Directories that went away while a reader still had their `out` open: the log goes
    /// with its last reader.
    var orphanedPorts: Set<PortTarget> = []
    var events = PortLog(retention: 256)
    var pending: [UInt64: Pending] = [:]
    /// `FALSE` texts that ended a ``Pending/keepRefusal`` command, by internal id; taken as
    /// soon as the door returns, so nothing stays.
    var settled: [UInt64: String] = [:]
    var translator = CommandTranslator()
    var sessions: [UInt32: UserDoor] = [:]
    var shuttingDown = false
    /// The network part of the tree as last computed (to tell the kernel what changed).
    var networkSnapshot = NetworkSnapshot()

    /// Files one unix user other than root may hold open in the mount at once: each holds
    /// a rendered copy or a cursor, and with `--allow-other` any local user can open them
    /// (19,000 opens of `metrics` held 137 MB before). Past it `open` fails with `EMFILE`
    /// (docs/filesystem.md "Limits").
    static let openLimitPerUser = 4096

    /// Whether `uid` may open one more file (root always may).
    func mayOpen(uid: UInt32) -> Bool {
        uid == 0 || openByUser[uid, default: 0] < Self.openLimitPerUser
    }

    /// Holds `file` open under a new handle; returns the handle.
    mutating func add(_ file: OpenFile) -> UInt64 {
        let handle = nextHandle
        nextHandle += 1
        files[handle] = file
        handlesByNode[file.node, default: []].insert(handle)
        if let port = file.node.port { handlesByPort[port, default: []].insert(handle) }
        if file.uid != 0 { openByUser[file.uid, default: 0] += 1 }
        return handle
    }

    /// Closes `handle`: its file, if it was open.
    mutating func remove(_ handle: UInt64) -> OpenFile? {
        guard let file = files.removeValue(forKey: handle) else { return nil }
        handlesByNode[file.node]?.remove(handle)
        if handlesByNode[file.node]?.isEmpty == true { handlesByNode[file.node] = nil }
        if let port = file.node.port {
            handlesByPort[port]?.remove(handle)
            if handlesByPort[port]?.isEmpty == true { handlesByPort[port] = nil }
        }
        if file.uid != 0 {
            let open = openByUser[file.uid, default: 1] - 1
            openByUser[file.uid] = open > 0 ? open : nil
        }
        return file
    }

    /// Whether a file of `node` is open.
    func isOpen(_ node: Node) -> Bool { handlesByNode[node] != nil }

    /// The open handles of files in `port`'s directory.
    func handles(in port: PortTarget) -> Set<UInt64> { handlesByPort[port] ?? [] }

    /// Appends a line to `events` and returns the reads it wakes.
    mutating func appendEvent(_ line: [UInt8]) -> Wakeups {
        events.append(line)
        var wakeups = Wakeups()
        for handle in handlesByNode[.file(.events, nil)] ?? [] {
            wakeups.merge(drain(handle))
        }
        return wakeups
    }

    /// Appends a reply to a port and returns the reads and poll handles it wakes.
    /// Appends a reply for `owner`'s eyes (nil: everyone's) and returns the reads it wakes.
    mutating func publish(_ bytes: [UInt8], to port: PortTarget, owner: UInt32?) -> Wakeups {
        ports[port, default: PortLog()].append(bytes, owner: owner)
        var wakeups = Wakeups()
        for handle in handlesByNode[.file(.out, port)] ?? [] {
            wakeups.merge(drain(handle))
        }
        return wakeups
    }

    /// The directory of `port` went away (its session left, or the last session of its zenka
    /// name): its reply log is freed now, or when its last reader closes.
    mutating func portGone(_ port: PortTarget) {
        if handlesByPort[port] != nil {
            orphanedPorts.insert(port)
        } else {
            ports[port] = nil
        }
    }

    /// The directory of `port` is back (a zenka of that name logged in again).
    mutating func portBack(_ port: PortTarget) {
        orphanedPorts.remove(port)
    }

    /// `file` was closed: frees its port's log if the directory is gone and nobody else reads it.
    mutating func closed(_ file: OpenFile) {
        guard let port = file.node.port, orphanedPorts.contains(port), handlesByPort[port] == nil else { return }
        orphanedPorts.remove(port)
        ports[port] = nil
    }

    /// Answers the parked reads of `handle` that can be answered now.
    mutating func drain(_ handle: UInt64) -> Wakeups {
        guard var file = files[handle] else { return Wakeups() }
        var wakeups = Wakeups()
        // Called wherever an `ask` gains replies; what it holds changes here too.
        if file.node.isAsk { wakeups.asks.insert(handle) }
        if let poll = file.pollHandle, isReadable(file) {
            wakeups.polls.append(poll)
            file.pollHandle = nil
        }
        while !file.parked.isEmpty {
            let request = file.parked[0]
            guard let bytes = take(&file, limit: request.size) else { break }
            file.parked.removeFirst()
            wakeups.replies.append((request, bytes))
        }
        files[handle] = file
        return wakeups
    }

    func hasData(_ file: OpenFile) -> Bool {
        switch file.node {
        case .file(.out, let port?):
            file.cursor.map { ports[port]?.hasData(at: $0, for: PortLog.Reader(uid: file.uid)) ?? false } ?? false
        case .file(.events, _): file.cursor.map { events.hasData(at: $0, for: PortLog.Reader(uid: file.uid)) } ?? false
        case _ where file.node.isAsk: !file.askReplies.isEmpty
        default: true
        }
    }

    /// Whether a read of `file` would return at once, with bytes or end of file: what
    /// `poll`/`select` report as readable (docs/filesystem.md "`ask`": readable once a reply,
    /// or the end, is there). Testing for data alone left a poller of an `ask` read to its end,
    /// or of one never written to, asleep while `read` returned end of file.
    func isReadable(_ file: OpenFile) -> Bool {
        hasData(file) || isAtEnd(file)
    }

    private func isAtEnd(_ file: OpenFile) -> Bool {
        if file.ended || shuttingDown { return true }
        if file.node.isAsk { return !file.askWrote || file.askPending.isEmpty }
        return false
    }

    /// Takes up to `limit` bytes for a read of `file`; nil when the reader must wait.
    mutating func take(_ file: inout OpenFile, limit: Int) -> [UInt8]? {
        switch file.node {
        case .file(.out, let port?):
            guard var cursor = file.cursor else { return [] }
            let bytes = ports[port]?.read(from: &cursor, limit: limit, for: PortLog.Reader(uid: file.uid)) ?? []
            file.cursor = cursor
            return bytes.isEmpty ? (isAtEnd(file) ? [] : nil) : bytes
        case .file(.events, _):
            guard var cursor = file.cursor else { return [] }
            let bytes = events.read(from: &cursor, limit: limit, for: PortLog.Reader(uid: file.uid))
            file.cursor = cursor
            return bytes.isEmpty ? (isAtEnd(file) ? [] : nil) : bytes
        case _ where file.node.isAsk:
            if !file.askReplies.isEmpty {
                let end = min(file.askReplies.count, limit)
                defer { file.askReplies.removeFirst(end) }
                return Array(file.askReplies[..<end])
            }
            return isAtEnd(file) ? [] : nil
        default:
            return []
        }
    }
}

/// Reads to answer and pollers to wake, collected under the lock and carried out after it.
struct Wakeups: Sendable {
    var replies: [(ReadRequest, [UInt8])] = []
    var polls: [PollHandle] = []
    /// `ask` files whose unread replies may have changed: their memory charge is settled
    /// after the locks (``NetworkFileSystem/carryOut(_:)``).
    var asks: Set<UInt64> = []

    var isEmpty: Bool { replies.isEmpty && polls.isEmpty && asks.isEmpty }

    mutating func merge(_ other: Wakeups) {
        replies += other.replies
        polls += other.polls
        asks.formUnion(other.asks)
    }

    func perform() {
        for (request, bytes) in replies { request.reply(bytes: bytes) }
        for poll in polls { poll.notify() }
    }
}
