import CubeCore

/// The replies of one port (`out` of a directory), kept for readers that follow them.
///
/// Each open `out` has a ``Cursor``; new readers start with a short backlog. The log keeps
/// at most ``retention`` replies, so a reader that falls far behind skips ahead instead of
/// making the log grow without bound.
public struct PortLog: Sendable {
    /// A reader's position: the reply it is in and the bytes of it already returned.
    public struct Cursor: Equatable, Sendable {
        public var sequence: UInt64
        public var offset: Int
    }

    public let retention: Int
    private var entries: [[UInt8]] = []
    private var head = 0
    /// Sequence number of `entries[head]`.
    public private(set) var firstSequence: UInt64 = 0

    public init(retention: Int = 1024) { self.retention = max(64, retention) }

    /// Sequence number the next reply will get.
    public var nextSequence: UInt64 { firstSequence + UInt64(entries.count - head) }

    /// Appends one complete reply in wire form.
    public mutating func append(_ reply: [UInt8]) {
        entries.append(reply)
        if entries.count - head > retention {
            head += 1
            firstSequence += 1
        }
        if head > retention {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// A cursor at the last `backlog` replies.
    public func cursor(backlog: Int) -> Cursor {
        let available = UInt64(entries.count - head)
        return Cursor(sequence: nextSequence - min(available, UInt64(backlog)), offset: 0)
    }

    /// Whether `cursor` has bytes to read.
    public func hasData(at cursor: Cursor) -> Bool { cursor.sequence < nextSequence }

    /// Up to `limit` bytes from `cursor`, advancing it.
    public func read(from cursor: inout Cursor, limit: Int) -> [UInt8] {
        if cursor.sequence < firstSequence { cursor = Cursor(sequence: firstSequence, offset: 0) }
        var out: [UInt8] = []
        while out.count < limit, cursor.sequence < nextSequence {
            let entry = entries[head + Int(cursor.sequence - firstSequence)]
            let take = min(limit - out.count, entry.count - cursor.offset)
            out.append(contentsOf: entry[cursor.offset..<(cursor.offset + take)])
            cursor.offset += take
            if cursor.offset == entry.count { cursor = Cursor(sequence: cursor.sequence + 1, offset: 0) }
        }
        return out
    }
}
