import NIOCore

/// The awake connections of one event loop that may park (``IdleParking``), checked together
/// every `socket.park-after` seconds by one repeated task of the loop; and those that connected
/// or logged in lately, checked together once ``IdleParking/soon`` passed.
///
/// A scheduled check per connection cost about 0.25 KiB per awake connection, and kept a
/// closed connection's endpoint alive until its check ran (up to twice `socket.park-after`):
/// with parking on by default, a churn of short connections would hold thousands of dead
/// endpoints (docs/performance.md "Idle memory per session"). Here a connection costs one slot
/// and leaves the list when it parks or ends. The soon checks are batched the same way: a timer
/// per login cost the loop a timer wake-up per login (a churn of logins ran 20–40 µs of CPU
/// per connection slower). Loop-confined, like the endpoints.
final class IdleSweep: @unchecked Sendable {
    private let loop: any EventLoop
    private var members: [SocketEndpoint] = []
    /// Where the sweep under way goes on (it yields the loop every ``chunk`` connections).
    private var next = 0
    /// Connections to check soon, added since the last turn of the soon checks.
    private var soonAdded: [SocketEndpoint] = []
    /// Connections added before the last turn: checked at the next one.
    private var soonWaiting: [SocketEndpoint] = []
    private var soonScheduled = false
    /// Half of ``IdleParking/soon``: a connection is checked between one and two of these
    /// after it was added.
    private let soonTurn: TimeAmount

    /// Connections checked in one turn of the loop: 10,000 quiet ones parking at once would
    /// otherwise hold it for tens of milliseconds.
    static let chunk = 512

    init(loop: any EventLoop, every delay: TimeAmount, soon: TimeAmount) {
        self.loop = loop
        soonTurn = .nanoseconds(max(1_000_000, soon.nanoseconds / 2))
        loop.scheduleRepeatedTask(initialDelay: delay, delay: delay) { [weak self] task in
            guard let self else { return task.cancel() }
            self.next = 0
            self.sweep()
        }
    }

    /// Connections in the list now.
    var count: Int { members.count }

    /// Adds `endpoint` (awake now); it keeps the returned slot for ``remove(_:at:)``.
    func add(_ endpoint: SocketEndpoint) -> Int {
        members.append(endpoint)
        return members.count - 1
    }

    /// Removes `endpoint` from `slot`; the last member moves there and learns its new slot.
    func remove(_ endpoint: SocketEndpoint, at slot: Int) {
        guard slot < members.count, members[slot] === endpoint else { return }
        let last = members.removeLast()
        guard slot < members.count else { return }
        members[slot] = last
        last.sweepSlot = slot
    }

    /// Checks `endpoint` (``SocketEndpoint/soonCheck()``) once ``IdleParking/soon`` passed.
    func checkSoon(_ endpoint: SocketEndpoint) {
        soonAdded.append(endpoint)
        scheduleSoonTurn()
    }

    private func scheduleSoonTurn() {
        guard !soonScheduled else { return }
        soonScheduled = true
        loop.scheduleTask(in: soonTurn) { self.checkSoonTurn() }
    }

    private func checkSoonTurn() {
        soonScheduled = false
        let due = soonWaiting
        soonWaiting = soonAdded
        soonAdded = []
        for endpoint in due { endpoint.soonCheck() }
        if !soonWaiting.isEmpty || !soonAdded.isEmpty { scheduleSoonTurn() }
    }

    /// Checks each member once; a member that parks or ends leaves, and the one moved into its
    /// slot is checked next.
    private func sweep() {
        var checked = 0
        while next < members.count, checked < Self.chunk {
            let member = members[next]
            member.idleCheck()
            checked += 1
            if next < members.count, members[next] === member { next += 1 }
        }
        if next < members.count { loop.execute { self.sweep() } }
    }
}
