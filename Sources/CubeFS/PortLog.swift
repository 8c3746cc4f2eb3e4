/// The replies of one port (`out` of a directory), kept for readers that follow them.
///
/// Each open `out` has a ``Cursor``; new readers start with a short backlog. The log keeps
/// at most ``retention`` replies and at most ``maximumBytes`` bytes of them (the newest reply
/// is always kept whole; the router bounds it by `limits.body`), so a reader that falls far
/// behind skips ahead instead of making the log grow without bound. A count alone let a
/// zenka answering with large STRM chunks grow the cube by 900 MB in five commands
/// (docs/security.md "Resource limits"). Each reply may belong to one reader (the unix user
/// whose command it answers): other readers skip it, so users of a shared mount
/// (`allow_other`) never see each other's replies. Entries without an owner are public.
package struct PortLog: Sendable {
    /// A reader's position: the reply it is in and the bytes of it already returned.
    package struct Cursor: Equatable, Sendable {
        package var sequence: UInt64
        package var offset: Int
    }

    /// Who may read replies: one uid, or (root) everyone.
    package struct Reader: Equatable, Sendable {
        package var uid: UInt32
        package init(uid: UInt32) { self.uid = uid }

        func mayRead(_ owner: UInt32?) -> Bool { owner == nil || uid == 0 || owner == uid }
    }

    package let retention: Int
    /// Bytes kept at most, besides the newest reply.
    package let maximumBytes: Int
    /// Bytes of the replies kept now.
    package private(set) var byteCount = 0
    private var entries: [(owner: UInt32?, bytes: [UInt8])] = []
    private var head = 0
    /// Sequence number of `entries[head]`.
    package private(set) var firstSequence: UInt64 = 0

    /// Replies kept by default per directory: 1,024 and 1 MiB.
    package static let defaultMaximumBytes = 1 << 20

    package init(retention: Int = 1024, maximumBytes: Int = PortLog.defaultMaximumBytes) {
        self.retention = max(64, retention)
        self.maximumBytes = max(4096, maximumBytes)
    }

    /// Sequence number the next reply will get.
    package var nextSequence: UInt64 { firstSequence + UInt64(entries.count - head) }

    /// Appends one complete reply in wire form, readable by `owner` only (nil: by everyone).
    package mutating func append(_ reply: [UInt8], owner: UInt32? = nil) {
        entries.append((owner, reply))
        byteCount += reply.count
        while entries.count - head > 1, entries.count - head > retention || byteCount > maximumBytes {
            byteCount -= entries[head].bytes.count
            // The dropped reply's bytes go now, not when the array is next compacted.
            entries[head].bytes = []
            head += 1
            firstSequence += 1
        }
        if head > retention {
            entries.removeFirst(head)
            head = 0
        }
    }

    /// A cursor at the last `backlog` replies `reader` may read: replies of other users do not
    /// count, or a user whose commands answer often would push everyone else's backlog out of
    /// a shared `out` (docs/filesystem.md "`out`").
    package func cursor(backlog: Int, for reader: Reader) -> Cursor {
        var sequence = nextSequence
        var counted = 0
        while counted < backlog, sequence > firstSequence {
            sequence -= 1
            if reader.mayRead(entries[head + Int(sequence - firstSequence)].owner) { counted += 1 }
        }
        return Cursor(sequence: sequence, offset: 0)
    }

    /// Whether `reader` has bytes to read at `cursor`.
    package func hasData(at cursor: Cursor, for reader: Reader) -> Bool {
        var sequence = max(cursor.sequence, firstSequence)
        while sequence < nextSequence {
            if reader.mayRead(entries[head + Int(sequence - firstSequence)].owner) { return true }
            sequence += 1
        }
        return false
    }

    /// Up to `limit` bytes for `reader` from `cursor`, advancing it past what it may not read.
    package func read(from cursor: inout Cursor, limit: Int, for reader: Reader) -> [UInt8] {
        if cursor.sequence < firstSequence { cursor = Cursor(sequence: firstSequence, offset: 0) }
        var out: [UInt8] = []
        while out.count < limit, cursor.sequence < nextSequence {
            let entry = entries[head + Int(cursor.sequence - firstSequence)]
            guard reader.mayRead(entry.owner) else {
                cursor = Cursor(sequence: cursor.sequence + 1, offset: 0)
                continue
            }
            let take = min(limit - out.count, entry.bytes.count - cursor.offset)
            out.append(contentsOf: entry.bytes[cursor.offset..<(cursor.offset + take)])
            cursor.offset += take
            if cursor.offset == entry.bytes.count { cursor = Cursor(sequence: cursor.sequence + 1, offset: 0) }
        }
        return out
    }
}
