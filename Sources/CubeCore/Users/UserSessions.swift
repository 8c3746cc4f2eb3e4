/// The logged-in sessions of one user name, in login order (the order a name fans out in,
/// docs/protocol.md §4.3).
///
/// Removing a session costs constant time: its place is blanked (session ids are never 0)
/// and the list is compacted once blanks outnumber live entries, or at the next tick. A plain
/// array with `removeAll { $0 == id }` made closing n sessions of one user cost n² steps;
/// 9,000 sessions closing at once stalled every other client (docs/security.md
/// "Resource limits").
struct UserSessions: Sendable {
    /// Session ids in login order; 0 where a session was removed.
    private var slots: [SessionID] = []
    /// Where each live session stands in ``slots``.
    private var positions: [SessionID: Int] = [:]

    /// Live sessions.
    var count: Int { positions.count }

    var isEmpty: Bool { positions.isEmpty }

    /// Whether removed places wait to be compacted.
    var hasBlanks: Bool { slots.count != positions.count }

    /// The live sessions in login order. No copy unless places are blank.
    var ids: [SessionID] { hasBlanks ? slots.filter { $0 != 0 } : slots }

    func contains(_ id: SessionID) -> Bool { positions[id] != nil }

    /// The session that logged in first, of those still here.
    var first: SessionID? { slots.first { $0 != 0 } }

    mutating func append(_ id: SessionID) {
        guard positions[id] == nil else { return }
        positions[id] = slots.count
        slots.append(id)
    }

    /// Removes `id` in constant amortised time.
    mutating func remove(_ id: SessionID) {
        guard let position = positions.removeValue(forKey: id) else { return }
        if position == slots.count - 1 {
            slots.removeLast()
            while slots.last == 0 { slots.removeLast() }
        } else {
            slots[position] = 0
        }
        if slots.count - positions.count > max(positions.count, 32) { compact() }
    }

    /// Drops the blank places (linear in the list; amortised over the removals that made them).
    mutating func compact() {
        guard hasBlanks else { return }
        slots.removeAll { $0 == 0 }
        for (index, id) in slots.enumerated() { positions[id] = index }
    }
}
