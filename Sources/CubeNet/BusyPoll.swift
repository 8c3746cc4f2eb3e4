import CCubeSystem
import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Busy-polls an event loop for a moment after a turn that read something, instead of going
/// straight back to sleep (`socket.busy-poll`; docs/performance.md "Busy-polling").
///
/// A thread asleep in `epoll_wait` that a peer's write wakes runs some 20 µs later on this
/// kind of virtual machine, and a routed request-reply crosses four such wake-ups. After a turn
/// that read something (a request, a reply, a request of the mount, a pipelined batch: a
/// conversation likely to go on within microseconds), the loop polls without sleeping, for up
/// to the budget, one epoll that watches the selectors of the group's loops. Whatever NIO would
/// wake for (input, a new connection, a task from another thread, a link, the mount) ends the
/// spin at once, and NIO's own `epoll_wait` then returns it without sleeping. A turn that read
/// nothing (a timer, an idle cube) does not spin, nor one that read ``large`` bytes or more and
/// sent to a TCP peer (a batch whose answers come a network round trip later); one CPU never
/// spins, and a loop that finds itself preempted in more than a quarter of its spins (another
/// thread wants the CPU) pauses for ``pause``. Timers due during a spin wait for its end: at
/// most the budget.
///
/// Each loop adapts how long it spins, as the kernel's halt polling does: when the input after
/// a turn came within the budget (measured from the end of the turn to the next turn's first
/// read), the window grows (doubling from 10 µs up to the budget); when it came later, the
/// window halves, to zero below 10 µs, and the loop then sleeps after such turns until a wait
/// within the budget grows it again. A cube whose
/// small writes are answered only after further hops (the middle of a chain of nodes) then
/// sleeps instead of spending the budget on every turn, and leaves the CPU to the processes
/// that have work (docs/performance.md "An adaptive window"). Turns that sent to a TCP peer
/// (a link, a client over TCP, loopback included) have a window of their own: their answers
/// come back on another time scale (a network round trip, the far node's own turns), and one
/// kind of turn answered late must not stop the spinning after the other, answered at once.
/// So do turns that read ``large`` bytes or more and sent only to this machine's peers (a
/// pipelined batch, a bulk write of the mount): sparse bulk input answered late must not stop
/// the spinning after a conversation's small turns on the same loop. A turn counts as sending
/// where the router hands the bytes over (``SocketEndpoint/send(_:)``), even when they are
/// written on another loop.
///
/// NIO does not publish its selectors' descriptors: ``NetworkLoop`` finds them as the epoll
/// instances that appear while the group starts, and arms this only when it finds one per loop.
///
/// `@unchecked Sendable`: `counts` is written only by the C side, atomically, and read the same way.
package final class BusyPoll: NIOEventLoopMetricsDelegate, @unchecked Sendable {
    /// A turn that read this many bytes or more and sent to a TCP peer does not spin: the
    /// replies of half a depth-64 batch on a link are more, and spinning after those cost three
    /// cubes on two vCPUs 20 % more CPU per request before the windows adapted (docs/
    /// performance.md "Busy-polling"). Turns that sent only to this machine's peers spin
    /// whatever they read: a pipeline's next batch comes within microseconds, and sleeping
    /// between batches left the loop idle a third of the time (docs/performance.md, sixteenth
    /// session).
    static let large: Int64 = 256
    /// How long spinning pauses on a loop that was preempted too often.
    static let pause: Int64 = 20_000_000
    /// How often spins ended, over all loops of the group.
    package struct Counts: Equatable, Sendable {
        /// Ended by an event for the loop.
        package var input: UInt64
        /// Ran out of budget (the loop's window).
        package var budget: UInt64
        /// Pauses for preemption.
        package var pauses: UInt64
        /// Turns not spun because their window was zero (their input came later than the budget).
        package var skipped: UInt64
    }

    private let epoll: CInt
    private let budget: Int64
    private let armed = Atomic<Bool>(false)
    private let counts: UnsafeMutablePointer<UInt64>

    /// - Parameter microseconds: the spin budget (`socket.busy-poll`); 0 = off.
    package init(microseconds: Int) {
        budget = Int64(microseconds) * 1_000
        epoll = microseconds > 0 && System.coreCount > 1 ? CCubeSystem_epoll_create() : -1
        counts = .allocate(capacity: 4)
        counts.initialize(repeating: 0, count: 4)
    }

    deinit {
        if epoll >= 0 { close(epoll) }
        counts.deallocate()
    }

    /// Whether it may spin at all (a budget, more than one CPU).
    package var wanted: Bool { epoll >= 0 }

    /// Whether it spins: armed with one selector per loop.
    package var isOn: Bool { armed.load(ordering: .relaxed) }

    /// The epoll instances open now (their descriptors), to tell the group's selectors apart.
    static func epollInstances() -> Set<CInt> {
        var fds = [CInt](repeating: -1, count: 1024)
        let found = fds.withUnsafeMutableBufferPointer { CCubeSystem_eventpoll_fds($0.baseAddress, CInt($0.count)) }
        return Set(fds.prefix(Int(max(found, 0))))
    }

    /// Watches `selectors` and starts spinning if there is one per loop (`loops`).
    func arm(selectors: Set<CInt>, loops: Int) {
        guard wanted, selectors.count == loops else { return }
        for fd in selectors where CCubeSystem_epoll_watch(epoll, fd) != 0 { return }
        armed.store(true, ordering: .releasing)
    }

    /// The calling loop read `bytes` in its current turn (a connection's, a link's or the
    /// mount's read handler).
    @inline(__always)
    static func read(_ bytes: Int) {
        CCubeSystem_busy_poll_note(Int64(bytes))
    }

    /// The calling loop sent to a TCP peer in its current turn (a link's or a TCP
    /// connection's endpoint): that turn spins by the window of such turns.
    @inline(__always)
    static func sentFar() {
        CCubeSystem_busy_poll_note_far()
    }

    /// How the spins ended so far.
    package var spins: Counts {
        var out: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &out) { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt64.self) else { return }
            CCubeSystem_busy_poll_counts(counts, base)
        }
        return Counts(input: out.0, budget: out.1, pauses: out.2, skipped: out.3)
    }

    /// NIO calls this on the loop's thread at the end of each turn, right before it would
    /// sleep in `epoll_wait`. (Not `info.sleepTime` for the window: NIO takes it after the
    /// turn's reads were handled, so it would count the turn's own work as waiting.)
    package func processedTick(info: NIOEventLoopTickInfo) {
        guard armed.load(ordering: .relaxed) else { return }
        CCubeSystem_busy_poll(epoll, budget, Self.large, Self.pause, counts)
    }
}
