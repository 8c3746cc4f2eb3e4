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
    var files: [UInt64: OpenFile] = [:]
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

    /// Appends a line to `events` and returns the reads it wakes.
    mutating func appendEvent(_ line: [UInt8]) -> Wakeups {
        events.append(line)
        var wakeups = Wakeups()
        for (handle, file) in files where file.node == .file(.events, nil) {
            wakeups.merge(drain(handle))
        }
        return wakeups
    }

    /// Appends a reply to a port and returns the reads and poll handles it wakes.
    /// Appends a reply for `owner`'s eyes (nil: everyone's) and returns the reads it wakes.
    mutating func publish(_ bytes: [UInt8], to port: PortTarget, owner: UInt32?) -> Wakeups {
        ports[port, default: PortLog()].append(bytes, owner: owner)
        var wakeups = Wakeups()
        for (handle, file) in files where file.node == .file(.out, port) {
            wakeups.merge(drain(handle))
        }
        return wakeups
    }

    /// The directory of `port` went away (its session left, or the last session of its zenka
    /// name): its reply log is freed now, or when its last reader closes.
    mutating func portGone(_ port: PortTarget) {
        if files.values.contains(where: { $0.node.port == port }) {
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
        guard let port = file.node.port, orphanedPorts.contains(port),
              !files.values.contains(where: { $0.node.port == port }) else { return }
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
