/// The router's sessions, kept as values in a slab of slots.
///
/// The router reads or changes a field or two of a session for every message. Sessions are
/// structs stored in one array and changed where they lie (`table[handle]?.field = …`, the
/// subscripts yield the stored value instead of returning a copy), so no access copies a
/// whole session (decoder, route indexes, strings) out and back (docs/performance.md
/// "Sessions in a slab"). The session ids the cube shows stay random
/// (``Router/newSessionID()``); one dictionary maps an id to its slot, and a
/// ``SessionHandle`` reaches a slot without it. Every occupant of a slot gets a generation of
/// its own, so a stale handle reaches nothing. Vacant slots are reused before the slab grows;
/// an emptied table lets its peak size go.
struct SessionTable: Sendable {
    private struct Entry: Sendable {
        /// The occupant's generation; kept after it leaves, so its handles stay stale.
        var generation: UInt32
        var session: Session?
    }

    private var entries: [Entry] = []
    /// Empty slots below `entries.count`, reused before the slab grows.
    private var vacant: [Int32] = []
    private var slots: [SessionID: Int32] = [:]
    /// Issued to each new occupant, whatever its slot: generations never repeat within 2³²
    /// sessions, also after the slab was reset.
    private var nextGeneration: UInt32 = 0

    /// Number of sessions.
    var count: Int { slots.count }

    /// The ids of all sessions, in no particular order.
    var ids: Dictionary<SessionID, Int32>.Keys { slots.keys }

    /// Stores `session` under its id (which must be new) and returns its handle.
    @discardableResult
    mutating func insert(_ session: Session) -> SessionHandle {
        precondition(slots[session.id] == nil, "session id \(session.id) is taken")
        nextGeneration &+= 1
        let entry = Entry(generation: nextGeneration, session: session)
        let slot: Int32
        if let reused = vacant.popLast() {
            slot = reused
            entries[Int(slot)] = entry
        } else {
            slot = Int32(entries.count)
            entries.append(entry)
        }
        slots[session.id] = slot
        return SessionHandle(id: session.id, slot: slot, generation: nextGeneration)
    }

    /// The handle of session `id`, nil if there is none.
    func handle(_ id: SessionID) -> SessionHandle? {
        guard let slot = slots[id] else { return nil }
        return SessionHandle(id: id, slot: slot, generation: entries[Int(slot)].generation)
    }

    /// Whether session `id` exists.
    func contains(_ id: SessionID) -> Bool {
        slots[id] != nil
    }

    /// Whether the session `handle` was made for still exists.
    func contains(_ handle: SessionHandle) -> Bool {
        entry(of: handle) != nil
    }

    /// Session `id`, read or changed in place; nil when there is none. Assigning nil removes it.
    subscript(id: SessionID) -> Session? {
        _read {
            if let slot = slots[id] { yield entries[Int(slot)].session } else { yield nil }
        }
        _modify {
            if let slot = slots[id] {
                yield &entries[Int(slot)].session
                if entries[Int(slot)].session == nil { vacate(slot, id: id) }
            } else {
                var absent: Session?
                yield &absent
                assert(absent == nil, "sessions are added with insert(_:)")
            }
        }
    }

    /// The session `handle` was made for, read or changed in place; nil when it is gone (its
    /// slot empty or taken by a later session). Assigning nil removes it.
    subscript(handle: SessionHandle) -> Session? {
        _read {
            if let index = entry(of: handle) { yield entries[index].session } else { yield nil }
        }
        _modify {
            if let index = entry(of: handle) {
                yield &entries[index].session
                if entries[index].session == nil { vacate(handle.slot, id: handle.id) }
            } else {
                var absent: Session?
                yield &absent
                assert(absent == nil, "sessions are added with insert(_:)")
            }
        }
    }

    /// Takes session `id` out of the table (moved, not copied); nil when there is none.
    @discardableResult
    mutating func remove(_ id: SessionID) -> Session? {
        guard let slot = slots[id], let session = entries[Int(slot)].session.take() else { return nil }
        vacate(slot, id: id)
        return session
    }

    /// The sessions `include` accepts, in id order: copies, for listings and the once-a-second
    /// tick, never the path of a message.
    func sorted(where include: (Session) -> Bool = { _ in true }) -> [Session] {
        entries.compactMap { entry in entry.session.flatMap { include($0) ? $0 : nil } }.sorted { $0.id < $1.id }
    }

    /// Index of the entry `handle` names, if its session is still there.
    private func entry(of handle: SessionHandle) -> Int? {
        let index = Int(handle.slot)
        guard entries.indices.contains(index), entries[index].generation == handle.generation,
              entries[index].session != nil else { return nil }
        return index
    }

    /// Forgets the emptied `slot` of session `id`.
    private mutating func vacate(_ slot: Int32, id: SessionID) {
        slots[id] = nil
        if slots.isEmpty {
            // A burst of sessions must not pin its peak size for ever.
            entries.removeAll(keepingCapacity: entries.count <= 1024)
            vacant.removeAll(keepingCapacity: entries.capacity > 0)
        } else {
            vacant.append(slot)
        }
    }
}
