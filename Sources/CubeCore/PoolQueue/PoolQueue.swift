/// The commands of one balanced zenka name that no instance can take now (docs/pooling.md
/// "Queue"): held in the cube, not at a busy instance, so that whichever instance frees first
/// (or joins, here or on another node) takes the oldest. A pure FIFO bounded in count and in
/// bytes; the router charges each item to its sender's memory share and sends what it takes.
///
/// Each sender's entries are indexed, so asking whether a sender holds any is O(1) and taking
/// a leaving sender's entries costs O(its own entries), amortised: the slots it leaves empty
/// (tombstones) are skipped when they reach the front and compacted once they are as many as
/// the entries held. Before, every close of a session that had ever queued scanned and rebuilt
/// the whole queue, so sessions closing behind a long backlog stalled the cube for every user
/// (docs/pooling.md "Queue", "The sender leaves").
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

    /// The numbers of one sender's held entries, oldest first (a FIFO like the queue: its
    /// oldest is taken first, from `first`).
    private struct Numbers: Sendable {
        var numbers: [Int] = []
        var first = 0

        var isEmpty: Bool { first == numbers.count }
        var held: ArraySlice<Int> { numbers[first...] }

        mutating func dropOldest() {
            first += 1
            if first >= 32, first * 2 >= numbers.count {
                numbers.removeFirst(first)
                first = 0
            }
        }

        /// Puts back the number of an entry just taken (it is older than every one held).
        mutating func putBack(_ number: Int) {
            if first > 0 {
                first -= 1
                numbers[first] = number
            } else {
                numbers.insert(number, at: 0)
            }
        }
    }

    /// Slots from `head` on, oldest first; nil is a tombstone, left by a sender that took its
    /// entries away. Everything before `head` is taken. `slots[head]` is held whenever the
    /// queue is not empty (tombstones at the front are skipped at once).
    private var slots: [Entry?] = []
    private var head = 0
    /// The number of `slots[0]`: the entry in `slots[i]` is number `base + i` for as long as it
    /// is held, so dropping the taken prefix (`base` grows) keeps every sender's numbers
    /// valid; only a compaction renumbers, and it rebuilds the index.
    private var base = 0
    /// Tombstones from `head` on.
    private var tombstones = 0
    /// Each sender's held entries; a sender with none has no key.
    private var bySource: [SessionID: Numbers] = [:]
    /// Senders in turn for ``takeNext()``, from `turnHead` on: each gives its oldest entry,
    /// then goes to the back. A sender whose entries went is dropped when its turn comes.
    private var turns: [SessionID] = []
    private var turnHead = 0
    private var inTurns: Set<SessionID> = []
    /// The sender of the entry ``takeNext()`` took last, and whether it went to the back
    /// again: a ``putBack(_:)`` of that entry gives it its turn back.
    private var lastTurn: (source: SessionID, requeued: Bool)?
    /// The number of the entry ``takeNext()`` or ``takeOldest()`` took last, and the
    /// ``generation`` it belongs to: ``putBack(_:)`` puts the entry back in that very slot.
    private var lastTaken: (number: Int, generation: Int)?
    /// Counts compactions, which number the entries afresh.
    private var generation = 0
    /// Bytes of the held entries.
    package private(set) var bytes = 0
    /// Slots looked at by ``take(from:)``, by skipping tombstones and by compaction: the work
    /// leaving senders cost, counted so a test can bound it without timing anything.
    package private(set) var examined = 0

    package init() {}

    /// Items held.
    package var count: Int { slots.count - head - tombstones }

    package var isEmpty: Bool { count == 0 }

    /// When the oldest held item was queued; nil when empty.
    package var oldestSince: UInt64? { isEmpty ? nil : slots[head]?.since }

    /// Holds `item` at the back unless `countLimit` items wait or its bytes would pass `byteLimit`.
    package mutating func enqueue(_ item: Item, source: SessionID, bytes size: Int, at now: UInt64,
                                  countLimit: Int, byteLimit: Int) -> Refusal? {
        guard count < countLimit else { return .count(limit: countLimit) }
        guard bytes + size <= byteLimit else { return .bytes(limit: byteLimit) }
        bySource[source, default: Numbers()].numbers.append(base + slots.count)
        slots.append(Entry(item: item, source: source, bytes: size, since: now))
        bytes += size
        if inTurns.insert(source).inserted { turns.append(source) }
        return nil
    }

    /// Takes the oldest entry of the sender whose turn it is, then that sender goes to the
    /// back: senders are served in turn, each in its own order. Strictly oldest first, one
    /// sender with a long backlog kept every other sender's commands behind it until they
    /// timed out (a hostile second reader; docs/pooling.md "Queue"). O(1) amortised.
    package mutating func takeNext() -> Entry? {
        // Left for now by the last take (``tidy(compacting:)``).
        compactIfDue()
        lastTurn = nil
        while turnHead < turns.count {
            let source = turns[turnHead]
            turnHead += 1
            guard var numbers = bySource[source] else {
                inTurns.remove(source)
                continue
            }
            var found: Entry?
            while found == nil, !numbers.isEmpty {
                let number = numbers.numbers[numbers.first]
                numbers.dropOldest()
                found = takeHeld(number)
                if found != nil { lastTaken = (number, generation) }
            }
            if numbers.isEmpty {
                bySource[source] = nil
                inTurns.remove(source)
            } else {
                bySource[source] = numbers
                turns.append(source)
            }
            if turnHead >= 64, turnHead * 2 >= turns.count {
                turns.removeFirst(turnHead)
                turnHead = 0
            }
            if let found {
                lastTurn = (source, !numbers.isEmpty)
                tidy(compacting: false)
                return found
            }
        }
        return nil
    }

    /// Takes the oldest held entry.
    package mutating func takeOldest() -> Entry? {
        compactIfDue()
        guard !isEmpty, let entry = slots[head] else { return nil }
        lastTaken = (base + head, generation)
        slots[head] = nil
        head += 1
        bytes -= entry.bytes
        // The oldest held entry is its sender's oldest too.
        bySource[entry.source]?.dropOldest()
        if bySource[entry.source]?.isEmpty == true { bySource[entry.source] = nil }
        tidy(compacting: false)
        return entry
    }

    /// Puts back an entry just taken with ``takeNext()`` or ``takeOldest()`` that found no
    /// instance after all: it keeps its place and its age (no bound applies: it was held
    /// already). Its own slot, not the front: an entry of a sender whose turn it was is not
    /// the oldest, and put at the front it hid the older ones behind it from
    /// ``takeExpired(now:timeout:)``, so they timed out up to a whole `timeouts.route` late
    /// (a hostile tester's finding). Only after a compaction in between, rare, does it go to
    /// the front.
    package mutating func putBack(_ entry: Entry) {
        let taken = lastTaken
        lastTaken = nil
        if taken.map({ $0.generation != generation || !restore(entry, number: $0.number) }) ?? true {
            // At the front.
            if head > 0 {
                head -= 1
                slots[head] = entry
            } else {
                slots.insert(entry, at: 0)
                base -= 1
            }
            bySource[entry.source, default: Numbers()].putBack(base + head)
        }
        bytes += entry.bytes
        // Its sender's turn comes back: it is next again (once: its place at the back goes).
        if let last = lastTurn, last.source == entry.source, last.requeued, turns.last == entry.source {
            turns.removeLast()
            inTurns.remove(entry.source)
        }
        lastTurn = nil
        guard inTurns.insert(entry.source).inserted else { return }
        if turnHead > 0 {
            turnHead -= 1
            turns[turnHead] = entry.source
        } else {
            turns.insert(entry.source, at: 0)
        }
    }

    /// Puts `entry` back into the slot numbered `number`, which it left just now; false when
    /// that slot is not free. The slots between it and `head` are all empty (``tidy()`` moved
    /// `head` over them, or dropped them with the taken prefix): they become tombstones again.
    private mutating func restore(_ entry: Entry, number: Int) -> Bool {
        var index = number - base
        if index < 0 {
            // Dropped with the taken prefix: give the slots back, empty.
            slots.insert(contentsOf: repeatElement(nil, count: -index), at: 0)
            head -= index
            base += index
            index = 0
        }
        guard index < slots.count, slots[index] == nil else { return false }
        if index < head {
            tombstones += head - index
            head = index
        }
        slots[index] = entry
        tombstones -= 1
        // Its sender's oldest: takeNext and takeOldest take a sender's oldest.
        bySource[entry.source, default: Numbers()].putBack(number)
        return true
    }

    /// Takes every held entry, oldest first.
    package mutating func takeAll() -> [Entry] {
        var taken: [Entry] = []
        taken.reserveCapacity(count)
        while let entry = takeOldest() { taken.append(entry) }
        return taken
    }

    /// Takes the entries queued at or before `now - timeout`, oldest first.
    package mutating func takeExpired(now: UInt64, timeout: UInt64) -> [Entry] {
        // Oldest first (a put-back entry keeps its age): the expired ones are a prefix.
        var taken: [Entry] = []
        while let oldest = oldestSince, now &- oldest >= timeout, let entry = takeOldest() { taken.append(entry) }
        return taken
    }

    /// Whether an entry `source` sent is held. O(1).
    package func holds(from source: SessionID) -> Bool {
        bySource[source] != nil
    }

    /// Takes the entries `source` sent (it went away), oldest first: O(their number), amortised.
    package mutating func take(from source: SessionID) -> [Entry] {
        guard let numbers = bySource.removeValue(forKey: source) else { return [] }
        let taken = numbers.held.compactMap { takeHeld($0) }
        tidy()
        return taken
    }

    /// Takes the entry numbered `number` out of its slot, leaving a tombstone; nil if it is
    /// no longer held. The caller tidies.
    private mutating func takeHeld(_ number: Int) -> Entry? {
        examined += 1
        let index = number - base
        guard index >= head, index < slots.count, let entry = slots[index] else { return nil }
        slots[index] = nil
        tombstones += 1
        bytes -= entry.bytes
        return entry
    }

    /// Takes the newest entry `source` sent whose item passes `matching`: a link carries
    /// several users' commands, and room is made from one user's. O(that sender's entries).
    package mutating func takeNewest(from source: SessionID, matching: (Item) -> Bool) -> Entry? {
        guard var numbers = bySource[source] else { return nil }
        var found: Entry?
        var index = numbers.numbers.count - 1
        while found == nil, index >= numbers.first {
            let number = numbers.numbers[index]
            let slot = number - base
            if slot >= head, slot < slots.count, let entry = slots[slot], matching(entry.item) {
                numbers.numbers.remove(at: index)
                found = takeHeld(number)
            }
            index -= 1
        }
        bySource[source] = numbers.isEmpty ? nil : numbers
        tidy()
        return found
    }

    /// Skips tombstones at the front, drops the taken prefix once it is as long as the rest,
    /// and compacts once tombstones are as many as the entries held: each costs at most a
    /// constant per entry taken or tombstone made since, so every operation stays O(1)
    /// amortised.
    /// - Parameter compacting: false right after ``takeNext()`` and ``takeOldest()``: a
    ///   compaction numbers the entries afresh, and the one just taken could not go back to
    ///   its slot (``putBack(_:)``); the next operation compacts instead.
    private mutating func tidy(compacting: Bool = true) {
        while head < slots.count, slots[head] == nil {
            examined += 1
            head += 1
            tombstones -= 1
        }
        if head == slots.count {
            base += head
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64, head * 2 >= slots.count {
            base += head
            slots.removeFirst(head)
            head = 0
        }
        if compacting { compactIfDue() }
    }

    /// Compacts once tombstones are as many as the entries held (and at least 64).
    private mutating func compactIfDue() {
        if tombstones >= 64, tombstones * 2 >= slots.count - head { compact() }
    }

    /// Drops the tombstones and the taken prefix, and numbers the held entries afresh.
    private mutating func compact() {
        examined += slots.count - head
        var held: [Entry?] = []
        held.reserveCapacity(count)
        bySource.removeAll(keepingCapacity: true)
        for case let entry? in slots[head...] {
            bySource[entry.source, default: Numbers()].numbers.append(held.count)
            held.append(entry)
        }
        slots = held
        head = 0
        base = 0
        tombstones = 0
        generation += 1
    }
}
