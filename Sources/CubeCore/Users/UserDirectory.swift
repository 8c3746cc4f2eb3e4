/// Who is logged in, by user name: each name's sessions in login order (the order a name fans
/// out in, docs/protocol.md §4.3), and when each name was last seen (`present`, docs/protocol.md
/// §8), kept after its last session is gone.
///
/// A pure machine the router feeds with joins and leaves; it knows nothing of sessions
/// beyond their ids.
struct UserDirectory: Sendable {
    /// Logged-in sessions per user name; a name without sessions has no entry.
    private var index: [String: UserSessions] = [:]
    /// Names whose entry has blank places, compacted by ``compact()``.
    private var withBlanks: Set<String> = []
    /// When each name last joined or left (wall seconds).
    private var seen: [String: Int64] = [:]
    /// The name ``cachedIDs(of:)`` looked up last, with its sessions; forgotten by every join,
    /// leave and compaction. A pipelined burst names one target over and over: comparing one
    /// name replaces hashing it per command (docs/performance.md "Router CPU per pipelined
    /// request").
    private var lastLookup: (name: String, ids: [SessionID])?

    /// The live sessions of `user`, in login order.
    func ids(of user: String) -> [SessionID] { index[user]?.ids ?? [] }

    /// ``ids(of:)``, remembered for the next call with the same name.
    mutating func cachedIDs(of user: String) -> [SessionID] {
        if let lastLookup, lastLookup.name == user { return lastLookup.ids }
        let ids = ids(of: user)
        lastLookup = (user, ids)
        return ids
    }

    /// Whether `user` has a logged-in session.
    func isPresent(_ user: String) -> Bool { index[user] != nil }

    /// How many sessions `user` has.
    func count(of user: String) -> Int { index[user]?.count ?? 0 }

    /// The session of `user` that logged in first, of those still here.
    func first(of user: String) -> SessionID? { index[user]?.first }

    /// The names with a logged-in session, in no particular order.
    var names: Dictionary<String, UserSessions>.Keys { index.keys }

    /// When `user` last joined or left (wall seconds); nil if never seen since start.
    func lastSeen(_ user: String) -> Int64? { seen[user] }

    /// Whether `user`'s entry waits for ``compact()``.
    func hasBlanks(_ user: String) -> Bool { index[user]?.hasBlanks ?? false }

    /// Session `id` logged in as `user`.
    mutating func joined(_ id: SessionID, as user: String, wall: Int64) {
        lastLookup = nil
        index[user, default: UserSessions()].append(id)
        seen[user] = wall
    }

    /// Session `id` of `user` is gone; the name's entry goes with its last session.
    mutating func left(_ id: SessionID, of user: String, wall: Int64) {
        lastLookup = nil
        seen[user] = wall
        index[user]?.remove(id)
        guard let entry = index[user] else { return }
        if entry.isEmpty {
            index[user] = nil
            withBlanks.remove(user)
        } else if entry.hasBlanks {
            withBlanks.insert(user)
        }
    }

    /// Drops the blank places removals left (the router calls it once a second).
    mutating func compact() {
        if !withBlanks.isEmpty { lastLookup = nil }
        for user in withBlanks { index[user]?.compact() }
        withBlanks.removeAll()
    }
}
