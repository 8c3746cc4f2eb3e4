/// The on-demand zenki (docs/protocol.md §6) as a pure table: names registered with
/// `ondemand-zenka add` (or by the manager), the commands waiting for each while the manager
/// starts it, and whether a start was asked for. The router charges and answers what it
/// returns; this only keeps the queues (`OnDemandTableTests`).
///
/// A queue has no length bound of its own: every queued command is charged to its sender's
/// memory share (docs/security.md "Resource limits") and answered `FALSE route timeout`
/// after `timeouts.route`.
struct OnDemandTable: Sendable {
    private var entries: [String: OnDemandZenka] = [:]
    private var nextID = 1

    /// The registered names.
    var names: Dictionary<String, OnDemandZenka>.Keys { entries.keys }

    func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The id `ondemand-zenka add` answered for `name`.
    func id(of name: String) -> Int? { entries[name]?.id }

    /// Whether a start of `name` was asked for and has not ended (its first session, or a failure).
    func isStarting(_ name: String) -> Bool { entries[name]?.starting == true }

    /// Registers `name`; a name already registered keeps its id and queue.
    mutating func register(_ name: String) {
        guard entries[name] == nil else { return }
        entries[name] = OnDemandZenka(id: nextID)
        nextID += 1
    }

    /// Forgets `name`: what waited for it, or nil when it was not registered.
    mutating func unregister(_ name: String) -> [QueuedCommand]? {
        entries.removeValue(forKey: name)?.queue
    }

    /// Queues `command` for the registered `name`.
    /// - Returns: whether the manager must now be asked to start it (no start is under way).
    mutating func enqueue(_ command: QueuedCommand, for name: String) -> Bool {
        guard entries[name] != nil else { return false }
        entries[name]?.queue.append(command)
        return markStarting(name)
    }

    /// Notes that a start of the registered `name` is asked for.
    /// - Returns: false when it is not registered or a start is already under way.
    mutating func markStarting(_ name: String) -> Bool {
        guard let entry = entries[name], !entry.starting else { return false }
        entries[name]?.starting = true
        return true
    }

    /// Everything waiting for `name`, oldest first, and the start is over (it logged in or
    /// failed); nil when `name` is not registered.
    mutating func takeQueue(_ name: String) -> [QueuedCommand]? {
        guard let entry = entries[name] else { return nil }
        entries[name] = OnDemandZenka(id: entry.id)
        return entry.queue
    }

    /// Commands queued at or before `now - timeout` (monotonic ns), taken out of every queue.
    mutating func expire(timeout: UInt64, now: UInt64) -> [QueuedCommand] {
        var expired: [QueuedCommand] = []
        for (name, entry) in entries where entry.queue.contains(where: { now &- $0.queued >= timeout }) {
            expired += entry.queue.filter { now &- $0.queued >= timeout }
            entries[name]?.queue.removeAll { now &- $0.queued >= timeout }
        }
        return expired
    }

    /// Whether a command the session `source` queued still waits.
    func holdsQueued(by source: SessionID) -> Bool {
        entries.values.contains { $0.queue.contains { $0.source == source } }
    }

    /// Commands the session `source` queued (it went away), taken out of every queue.
    mutating func remove(source: SessionID) -> [QueuedCommand] {
        var removed: [QueuedCommand] = []
        for (name, entry) in entries where entry.queue.contains(where: { $0.source == source }) {
            removed += entry.queue.filter { $0.source == source }
            entries[name]?.queue.removeAll { $0.source == source }
        }
        return removed
    }
}

/// One registered on-demand zenka: the id `ondemand-zenka add` answered, what waits for it.
struct OnDemandZenka: Sendable {
    let id: Int
    var queue: [QueuedCommand] = []
    var starting = false
}
