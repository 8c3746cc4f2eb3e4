/// Route slots by a 64-bit key: the index of a session's routes by the target id the cube
/// chose (``Session/targetRoutes``), and the set of the routes it started
/// (``RouteSlotSet``).
///
/// Every routed request inserts into and removes from both, and looks one up for its reply:
/// six operations per request. A `Dictionary` hashes each key with SipHash (about a fifth
/// of the router's hashing per request in `perf`, docs/performance.md "Router CPU per
/// pipelined request"); this table multiplies instead (Fibonacci hashing) and probes
/// linearly. That is safe here because the keys are chosen by the cube (random target ids,
/// slot numbers), never by a peer: a peer only chooses what is looked up, and a look-up
/// costs at most the length of a run the cube's own keys made. Removal shifts the run back,
/// so no tombstones pile up. At most half full; an emptied table keeps its (small) storage,
/// as a `Dictionary` does.
struct RouteIndex: Sendable {
    /// `key` 0 marks an empty entry (stored keys are offset by one, so 0 is storable).
    private struct Entry: Sendable {
        var key: UInt64
        var slot: RouteSlot
    }

    private var entries: [Entry] = []
    /// Entries in use.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The slots held, in no particular order.
    var values: [RouteSlot] {
        entries.compactMap { $0.key == 0 ? nil : $0.slot }
    }

    subscript(key: UInt64) -> RouteSlot? {
        get {
            guard count > 0 else { return nil }
            let stored = key &+ 1
            let mask = entries.count - 1
            var index = Self.home(of: stored, mask: mask)
            while true {
                let entry = entries[index]
                if entry.key == stored { return entry.slot }
                if entry.key == 0 { return nil }
                index = (index + 1) & mask
            }
        }
        set {
            if let slot = newValue { insert(key &+ 1, slot) } else { remove(key &+ 1) }
        }
    }

    private mutating func insert(_ stored: UInt64, _ slot: RouteSlot) {
        if (count + 1) * 2 > entries.count { grow() }
        let mask = entries.count - 1
        var index = Self.home(of: stored, mask: mask)
        while entries[index].key != 0 {
            if entries[index].key == stored {
                entries[index].slot = slot
                return
            }
            index = (index + 1) & mask
        }
        entries[index] = Entry(key: stored, slot: slot)
        count += 1
    }

    private mutating func remove(_ stored: UInt64) {
        guard count > 0 else { return }
        let mask = entries.count - 1
        var index = Self.home(of: stored, mask: mask)
        while entries[index].key != stored {
            if entries[index].key == 0 { return }
            index = (index + 1) & mask
        }
        count -= 1
        // Backward-shift deletion: move later entries of the run into the hole when their
        // home position does not lie (cyclically) after it.
        var hole = index
        var next = (hole + 1) & mask
        while entries[next].key != 0 {
            let home = Self.home(of: entries[next].key, mask: mask)
            if (next &- home) & mask >= (next &- hole) & mask {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = Entry(key: 0, slot: 0)
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(key: 0, slot: 0), count: max(8, old.count * 2))
        count = 0
        for entry in old where entry.key != 0 { insert(entry.key, entry.slot) }
    }

    @inline(__always) private static func home(of stored: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (stored &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }
}

/// The routes a session started, by slot (``Session/sourceRoutes``): a ``RouteIndex`` whose
/// keys are the slots themselves.
struct RouteSlotSet: Sequence, Sendable {
    private var index = RouteIndex()

    var count: Int { index.count }

    mutating func insert(_ slot: RouteSlot) {
        index[UInt64(truncatingIfNeeded: slot)] = slot
    }

    mutating func remove(_ slot: RouteSlot) {
        index[UInt64(truncatingIfNeeded: slot)] = nil
    }

    func contains(_ slot: RouteSlot) -> Bool {
        index[UInt64(truncatingIfNeeded: slot)] != nil
    }

    func makeIterator() -> IndexingIterator<[RouteSlot]> {
        index.values.makeIterator()
    }
}
