/// The balanced zenka names' ``Pool``s (docs/pooling.md). A pure state machine: the router
/// feeds it what happened and acts on what it returns; nothing here sends or reads the clock.
struct PoolTable: Sendable {
    private var pools: [String: Pool] = [:]
    /// When each scaling zenka grows or shrinks.
    private var planner = ScalePlanner()
    /// Compute leases this node serves for other nodes' bursts (docs/pooling.md "Bursts").
    var compute = ComputeLeases()
    /// Compute leases this node holds on other nodes for its own zenki.
    var bursts = BurstPlanner()
    /// How many commands each session has waiting, over every name (no key: none), so that
    /// whether a session still waits, asked for every half-closed session on every tick and
    /// at every close, is O(1) rather than a scan of the queues (docs/pooling.md "Queue").
    private var queuedBy: [SessionID: Int] = [:]
    /// How many commands each user has waiting per name (``QueuedCommand/sharer``): when a
    /// name's queue is full, a user holding less than half of it takes the place of the newest
    /// command of the user holding the most (docs/pooling.md "Queue").
    private var queuedByUser: [QueueSharer: Int] = [:]
    /// The sessions each user has commands waiting from, per name: where the newest command
    /// of the user holding the most is found. From the queue, not the user directory: a
    /// session whose input ended has left the directory while its commands still wait, and a
    /// flood sent with a half-close kept the whole queue (a hostile tester's finding).
    private var sourcesBySharer: [QueueSharer: Set<SessionID>] = [:]
    /// Whether the router asked for ``Router/planPools(now:)`` ten times a second
    /// (``RouterAction/planPools``) and has not called it off yet.
    var planningAsked = false
    /// When new instances were last published between ticks (monotonic ns), and how many
    /// more such adverts may go before the tick takes over.
    var instancesPublished: UInt64?
    var advertBudget = AdvertBudget()

    /// Advances `name`'s tie-break turn through `select`.
    mutating func select(_ name: String, _ policy: any RoutingPolicy, _ candidates: [PoolCandidate]) -> [Int] {
        policy.select(candidates, turn: &pools[name, default: Pool()].turn)
    }

    // MARK: - Waiting commands

    /// Queues `command` for `name` within its bounds: `countLimit` commands, `byteLimit`
    /// bytes of ``QueuedCommand/cost``.
    mutating func enqueue(_ command: QueuedCommand, for name: String, countLimit: Int,
                          byteLimit: Int) -> PoolQueue<QueuedCommand>.Refusal? {
        let refusal = pools[name, default: Pool()].waiting.enqueue(command, source: command.source, bytes: command.cost,
                                                                   at: command.queued, countLimit: countLimit,
                                                                   byteLimit: byteLimit)
        if refusal == nil { joined(command, name: name) }
        return refusal
    }

    /// Commands `user` has waiting for `name`. O(1).
    func waitingCount(_ name: String, user: String) -> Int { queuedByUser[QueueSharer(name: name, user: user)] ?? 0 }

    /// The user other than `user` with the most commands waiting for `name`, and how many.
    func largestSharer(_ name: String, other user: String) -> (user: String, count: Int)? {
        queuedByUser.filter { $0.key.name == name && $0.key.user != user }
            .max { ($0.value, $1.key.user) < ($1.value, $0.key.user) }
            .map { ($0.key.user, $0.value) }
    }

    /// Takes the newest command `user` has waiting for `name`, from the first of its sessions
    /// (by id) that has one.
    mutating func takeNewest(_ name: String, of user: String) -> QueuedCommand? {
        let key = QueueSharer(name: name, user: user)
        for source in (sourcesBySharer[key] ?? []).sorted() {
            guard let taken = pools[name]?.waiting.takeNewest(from: source, matching: { $0.sharer == user })?.item else {
                // None of the user's left there (the source holds other users' commands).
                sourcesBySharer[key]?.remove(source)
                continue
            }
            left([taken], name: name)
            return taken
        }
        return nil
    }

    /// Commands waiting for `name`.
    func waitingCount(_ name: String) -> Int { pools[name]?.waiting.count ?? 0 }

    /// Names with commands waiting, sorted.
    var namesWaiting: [String] { pools.filter { !$0.value.waiting.isEmpty }.keys.sorted() }

    /// Whether any command waits for `name`.
    func hasWaiting(_ name: String) -> Bool { !(pools[name]?.waiting.isEmpty ?? true) }

    /// Takes the next command waiting for `name`: the senders in turn, each its oldest
    /// (``PoolQueue/takeNext()``).
    mutating func takeNext(_ name: String) -> QueuedCommand? {
        guard let taken = pools[name]?.waiting.takeNext()?.item else { return nil }
        left([taken], name: name)
        return taken
    }

    /// Puts back the command just taken with ``takeNext(_:)`` that found no instance after
    /// all: it keeps its place and its age.
    mutating func putBack(_ command: QueuedCommand, for name: String) {
        pools[name, default: Pool()].waiting.putBack(
            PoolQueue.Entry(item: command, source: command.source, bytes: command.cost, since: command.queued))
        joined(command, name: name)
    }

    /// `command` joined `name`'s queue: its sender and user have one more waiting (the
    /// counterpart of ``left(_:name:)``).
    private mutating func joined(_ command: QueuedCommand, name: String) {
        queuedBy[command.source, default: 0] += 1
        let key = QueueSharer(name: name, user: command.sharer)
        queuedByUser[key, default: 0] += 1
        sourcesBySharer[key, default: []].insert(command.source)
    }

    /// Takes every command waiting for `name`, oldest first.
    mutating func takeWaiting(_ name: String) -> [QueuedCommand] {
        let taken = pools[name]?.waiting.takeAll().map(\.item) ?? []
        left(taken, name: name)
        return taken
    }

    /// Takes the commands that waited `timeout` nanoseconds or longer, per name.
    mutating func takeExpired(now: UInt64, timeout: UInt64) -> [QueuedCommand] {
        var expired: [QueuedCommand] = []
        for name in namesWaiting {
            let taken = pools[name]?.waiting.takeExpired(now: now, timeout: timeout).map(\.item) ?? []
            left(taken, name: name)
            expired += taken
        }
        return expired
    }

    /// Whether a command `source` queued still waits. O(1).
    func holdsQueued(by source: SessionID) -> Bool {
        queuedBy[source] != nil
    }

    /// Takes the commands `source` queued (it went away), by name: O(balanced names + its own
    /// commands), and nothing at all for a session with none waiting.
    mutating func takeQueued(by source: SessionID) -> [QueuedCommand] {
        guard queuedBy.removeValue(forKey: source) != nil else { return [] }
        let names = pools.compactMap { $0.value.waiting.holds(from: source) ? $0.key : nil }.sorted()
        var taken: [QueuedCommand] = []
        for name in names {
            let mine = pools[name]?.waiting.take(from: source).map(\.item) ?? []
            for command in mine { userLeft(command, name: name) }
            taken += mine
        }
        return taken
    }

    /// `commands` left `name`'s queue: their senders and users have that many fewer waiting.
    private mutating func left(_ commands: [QueuedCommand], name: String) {
        for command in commands {
            userLeft(command, name: name)
            guard let held = queuedBy[command.source] else { continue }
            queuedBy[command.source] = held > 1 ? held - 1 : nil
        }
    }

    private mutating func userLeft(_ command: QueuedCommand, name: String) {
        let key = QueueSharer(name: name, user: command.sharer)
        if !(pools[name]?.waiting.holds(from: command.source) ?? false) {
            sourcesBySharer[key]?.remove(command.source)
            if sourcesBySharer[key]?.isEmpty == true { sourcesBySharer[key] = nil }
        }
        guard let held = queuedByUser[key] else { return }
        queuedByUser[key] = held > 1 ? held - 1 : nil
    }

    // MARK: - Draining

    /// Marks `session` of `name` as draining: no new commands go to it. `forLease`: because a
    /// compute lease ended, not for idleness.
    mutating func drain(_ session: SessionID, of name: String, forLease: Bool) {
        pools[name, default: Pool()].draining.insert(session)
        if forLease { pools[name]?.drainedForLease.insert(session) }
    }

    /// The manager stops `session` of `name` itself: it drains, and its stop needs no order;
    /// `comingBack`: to restart it, and a lease's end may take it (``takeStoppingForLease(_:)``).
    mutating func managerStops(_ session: SessionID, of name: String, comingBack: Bool) {
        pools[name, default: Pool()].draining.insert(session)
        pools[name]?.stopOrdered.insert(session)
        if comingBack { pools[name]?.stoppingByManager.insert(session) }
    }

    /// One session of `name` the manager stops and no lease's end took yet (the oldest
    /// session id), now taken for a lease's end; nil when there is none.
    mutating func takeStoppingForLease(_ name: String) -> SessionID? {
        guard let pool = pools[name], let session = pool.stoppingByManager.subtracting(pool.drainedForLease).min() else {
            return nil
        }
        pools[name]?.drainedForLease.insert(session)
        return session
    }

    /// Whether `session` of `name` was drained because a compute lease ended.
    func drainedForLease(_ session: SessionID, of name: String) -> Bool {
        pools[name]?.drainedForLease.contains(session) ?? false
    }

    /// Whether `session` of `name` is draining.
    func isDraining(_ session: SessionID, of name: String) -> Bool {
        pools[name]?.draining.contains(session) ?? false
    }

    /// Forgets `session` (it went away).
    mutating func sessionLeft(_ session: SessionID, of name: String) {
        pools[name]?.draining.remove(session)
        pools[name]?.drainedForLease.remove(session)
        pools[name]?.stopOrdered.remove(session)
        pools[name]?.stoppingByManager.remove(session)
    }

    // MARK: - Remote instances

    /// Commands in flight from here to `node`'s instances of `name`.
    func remoteOutstanding(_ name: String, at node: String) -> UInt32 {
        pools[name]?.remoteOutstanding[node] ?? 0
    }

    /// A command for `name` was forwarded to `node`.
    mutating func remoteSent(_ name: String, to node: String) {
        pools[name, default: Pool()].remoteOutstanding[node, default: 0] &+= 1
    }

    /// A command forwarded to `node` for `name` got its final reply (or its route ended).
    mutating func remoteEnded(_ name: String, at node: String) {
        guard let count = pools[name]?.remoteOutstanding[node] else { return }
        pools[name]?.remoteOutstanding[node] = count > 1 ? count - 1 : nil
    }

    // MARK: - Figures

    /// The figures of `name` (empty for a name that never had a balanced command).
    func stats(_ name: String) -> PoolStats { pools[name]?.stats ?? PoolStats() }

    /// Commands of `name` in flight to each remote node, by node name.
    func remoteOutstanding(_ name: String) -> [String: UInt32] { pools[name]?.remoteOutstanding ?? [:] }

    /// Sessions of `name` being drained.
    func draining(_ name: String) -> Set<SessionID> { pools[name]?.draining ?? [] }

    /// A command of `name` got its final answer (`error`: a `FALSE`) after `latency` ns.
    mutating func answered(_ name: String, latency: UInt64, error: Bool) {
        pools[name, default: Pool()].stats.answered(latency: latency, error: error)
    }

    /// A command of `name` lost its route (collapse, timeout).
    mutating func failed(_ name: String) {
        pools[name, default: Pool()].stats.failed()
    }

    /// Once a second: every pool takes its rate sample.
    mutating func sample(now: UInt64) {
        for name in pools.keys { pools[name]?.stats.sample(now: now) }
    }

    /// Records a scale event of `name`.
    mutating func scaled(_ name: String, up: Bool, event: String) {
        pools[name, default: Pool()].stats.scaled(up: up, event: event)
    }

    // MARK: - Scaling

    /// Whether `name` should grow or shrink now (``ScalePlanner``).
    mutating func decide(_ name: String, rule: ScaleRule, instances: Int, outstanding: Int,
                         now: UInt64) -> ScalePlanner.Decision? {
        planner.decide(name, rule: rule, instances: instances, outstanding: outstanding, waiting: waitingCount(name),
                       now: now)
    }

    /// One instance of `name` asked for in a drained one's place (``ScalePlanner/asked(_:now:)``).
    mutating func asked(_ name: String, now: UInt64) { planner.asked(name, now: now) }

    /// An instance of `name` logged in.
    mutating func joined(_ name: String) { planner.joined(name) }

    /// Starting an instance of `name` failed.
    mutating func startFailed(_ name: String) { planner.startFailed(name) }

    /// Instances of `name` asked for and not logged in yet.
    func starting(_ name: String) -> Int { planner.starting(name) }

    /// Draining sessions of `name` with nothing outstanding (per `isIdle`) whose stop was not
    /// ordered yet; marks them ordered.
    mutating func takeDrained(_ name: String, isIdle: (SessionID) -> Bool) -> [SessionID] {
        guard let pool = pools[name] else { return [] }
        let drained = pool.draining.subtracting(pool.stopOrdered).filter(isIdle).sorted()
        pools[name]?.stopOrdered.formUnion(drained)
        return drained
    }
}
