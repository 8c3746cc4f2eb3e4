/// Deferred `v7.notify_online` / `v7.notify_offline` commands waiting for their zenka to join
/// or leave (docs/protocol.md §8.2), by the id the cube gave their route.
///
/// Each is kept while its route is open: the manager answers it on its event, and forgets
/// it once the route ended without it (`FALSE route timeout`, the asker left). With
/// `timeouts.route = 0` it therefore waits for its event as long as the asker stays. Every
/// operation costs time in proportion to the notifications it touches, not to all of them.
struct PendingNotifications: Sendable {
    /// One deferred command.
    struct Entry: Sendable {
        let id: UInt64
        let name: String
        /// `notify_online` (true) or `notify_offline`.
        let online: Bool
        /// Asking order: one event answers its notifications oldest first.
        let sequence: UInt64
    }

    /// Most ids handed out for one check of ended routes: a long list is walked over several
    /// manager ticks instead of holding the hub's lock for all of it at once.
    static let checkBatch = 1024

    private var entries: [UInt64: Entry] = [:]
    private var byName: [String: Set<UInt64>] = [:]
    private var nextSequence: UInt64 = 0
    /// The ids of the current walk for ended routes, and how far it got.
    private var walk: [UInt64] = []
    private var walked = 0

    var isEmpty: Bool { entries.isEmpty }

    /// Adds a notification under its route's id. An older one with the same id is replaced:
    /// ids are unique among a session's open routes, so the older one's route has ended.
    mutating func add(id: UInt64, name: String, online: Bool) {
        forget(id)
        entries[id] = Entry(id: id, name: name, online: online, sequence: nextSequence)
        nextSequence += 1
        byName[name, default: []].insert(id)
    }

    /// Removes and returns, oldest first, the notifications for `name` waiting for it to come
    /// online (`online`) or to go offline.
    mutating func settle(_ name: String, online: Bool) -> [Entry] {
        let settled = (byName[name] ?? []).compactMap { entries[$0] }.filter { $0.online == online }
            .sorted { $0.sequence < $1.sequence }
        for entry in settled { forget(entry.id) }
        return settled
    }

    /// Removes the notification with route id `id`, if any.
    mutating func forget(_ id: UInt64) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        byName[entry.name]?.remove(id)
        if byName[entry.name]?.isEmpty == true { byName[entry.name] = nil }
    }

    /// The next ids (at most ``checkBatch``) whose routes should be checked; a walk over all
    /// of them starts again once the previous one is done.
    mutating func nextToCheck() -> [UInt64] {
        if walked >= walk.count {
            walk = Array(entries.keys)
            walked = 0
        }
        let end = min(walked + Self.checkBatch, walk.count)
        defer { walked = end }
        return walk[walked..<end].filter { entries[$0] != nil }
    }
}
