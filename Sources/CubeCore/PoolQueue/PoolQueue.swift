/// The commands of one balanced zenka name that no instance can take now (docs/pooling.md
/// "Queue"): held in the cube, not at a busy instance, so that whichever instance frees first
/// (or joins, here or on another node) takes the oldest. A pure FIFO bounded in count and in
/// bytes; the router charges each item to its sender's memory share and sends what it takes.
package struct PoolQueue<Item: Sendable>: Sendable {
    /// One held item: who sent it, what it costs, since when it waits (monotonic ns).
    package struct Entry: Sendable {
        package let item: Item
        package let source: SessionID
        package let bytes: Int
        package let since: UInt64
    }

    /// Why an item was not queued.
    package enum Refusal: Equatable, Sendable {
        /// `limit` items wait already (`zenka.<name>.queue`).
        case count(limit: Int)
        /// The item would take the held bytes past `limit` (`zenka.<name>.queue.bytes`).
        case bytes(limit: Int)
    }

    /// Entries from `head` on are held, oldest first; the taken prefix is dropped once it is
    /// as long as what is held, so taking the oldest is O(1) amortised.
    private var entries: [Entry] = []
    private var head = 0
    /// Bytes of the held entries.
    package private(set) var bytes = 0

    package init() {}

    /// Items held.
    package var count: Int { entries.count - head }

    package var isEmpty: Bool { head == entries.count }

    /// When the oldest held item was queued; nil when empty.
    package var oldestSince: UInt64? { isEmpty ? nil : entries[head].since }

    /// Holds `item` at the back unless `countLimit` items wait or its bytes would pass `byteLimit`.
    package mutating func enqueue(_ item: Item, source: SessionID, bytes size: Int, at now: UInt64,
                                  countLimit: Int, byteLimit: Int) -> Refusal? {
        guard count < countLimit else { return .count(limit: countLimit) }
        guard bytes + size <= byteLimit else { return .bytes(limit: byteLimit) }
        entries.append(Entry(item: item, source: source, bytes: size, since: now))
        bytes += size
        return nil
    }

    /// Takes the oldest held entry.
    package mutating func takeOldest() -> Entry? {
        guard !isEmpty else { return nil }
        let entry = entries[head]
        head += 1
        bytes -= entry.bytes
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return entry
    }

    /// Puts back an entry just taken with ``takeOldest()`` that found no instance after all:
    /// it keeps its place at the front and its age (no bound applies: it was held already).
    package mutating func putBack(_ entry: Entry) {
        if head > 0 {
            head -= 1
            entries[head] = entry
        } else {
            entries.insert(entry, at: 0)
        }
        bytes += entry.bytes
    }

    /// Takes every held entry, oldest first.
    package mutating func takeAll() -> [Entry] {
        take { _ in true }
    }

    /// Takes the entries queued at or before `now - timeout`, oldest first.
    package mutating func takeExpired(now: UInt64, timeout: UInt64) -> [Entry] {
        // Oldest first: the expired ones are a prefix.
        guard let oldest = oldestSince, now &- oldest >= timeout else { return [] }
        return take { now &- $0.since >= timeout }
    }

    /// Whether an entry `source` sent is held.
    package func holds(from source: SessionID) -> Bool {
        entries[head...].contains { $0.source == source }
    }

    /// Takes the entries `source` sent (it went away), oldest first.
    package mutating func take(from source: SessionID) -> [Entry] {
        take { $0.source == source }
    }

    private mutating func take(where matches: (Entry) -> Bool) -> [Entry] {
        var taken: [Entry] = []
        var kept: [Entry] = []
        for entry in entries[head...] {
            if matches(entry) { taken.append(entry) } else { kept.append(entry) }
        }
        guard !taken.isEmpty else { return [] }
        entries = kept
        head = 0
        bytes = kept.reduce(0) { $0 + $1.bytes }
        return taken
    }
}
