import CubeAuth
import CubeCore
import CubeRuntime
import Logging
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The endpoint of a socket connection.
///
/// Writes made on the channel's event loop are batched: the first write of a loop tick
/// schedules one flush for the end of the tick (through the loop's ``PendingFlushes``, one
/// task for all its connections), so a burst of pipelined commands costs one `writev` per
/// connection instead of one per reply. A large read flushes what its first half wrote before
/// its second half is routed (``flushPending()``).
///
/// An idle connection may park (``IdleParking``): its channel closes, its descriptor waits in
/// ``ParkedSockets``, and this endpoint stays with the hub. Whatever needs the channel while
/// it is parked (output, a close, the encryption header) waits in order and wakes it.
final class SocketEndpoint: SessionEndpoint, @unchecked Sendable {
    /// The event loop of the connection, parked or not.
    private let loop: any EventLoop
    /// Loop-confined: the channel, or why there is none.
    private var attachment: Attachment
    private let logger: Logger
    /// Loop-confined: whether a flush is already scheduled for this tick.
    private var flushScheduled = false
    /// The loop's connections waiting for their flush (nil: this endpoint schedules its own).
    private let flushes: PendingFlushes?
    /// Loop-confined: set once the connection is being closed.
    private var closing = false
    /// Loop-confined: encrypts outbound bytes after a `c25519` login.
    private var sealer: SecretStreamSender?
    /// Loop-confined: decrypts inbound bytes after a `c25519` login.
    private(set) var opener: SecretStreamReceiver?
    /// Work handed to the event loop and not run yet. While it is not zero, work from the loop
    /// itself queues behind it too, so bytes leave in the order the hub handed them over
    /// (a password worker's `AUTH_TRUE =)` cannot be overtaken by a reply made on the loop).
    private let hops = Atomic<Int>(0)
    /// Where queued output is counted against `limits.memory` (nil: not counted).
    private let gauge: MemoryGauge?
    /// Loop-confined: bytes of this connection's queue counted in ``gauge`` now.
    private var charged = 0
    /// Loop-confined: a marker write is pending whose completion says the queue drained.
    private var watching = false
    /// Loop-confined: set once the hub forgot the endpoint; nothing more is counted.
    private var isDetached = false
    /// A reader whose queue is past this while the cube is past `limits.memory` is
    /// disconnected like one past `limits.output-queue`.
    static let slowReaderQueue = 64 << 10
    /// A connection being closed whose peer takes none of its remaining output for this long
    /// is closed without it (docs/protocol.md §7): otherwise a peer that never reads kept the
    /// socket, uncounted by `limits.sessions`, for ever.
    static let closeStall = TimeAmount.seconds(10)

    /// Queued bytes past which a peer that does not read is dropped: `limits.output-queue`
    /// plus one largest message (`limits.body`).
    private let dropAbove: Int
    /// A TCP peer (a link, a client over TCP): a loop turn that sends to it busy-polls by a
    /// window of its own (``BusyPoll/sentFar()``).
    private let remote: Bool

    /// Loop-confined: how this connection parks (nil: it never does).
    private var parking: Parking?
    /// Loop-confined: reading was paused by the hub (a paused connection does not park).
    private var readingPaused = false

    /// Where the connection's bytes go now.
    private enum Attachment {
        case channel(any Channel)
        /// Parked: its descriptor is watched by ``ParkedSockets``.
        case parked(CInt)
        /// Getting a channel again.
        case waking
        /// The connection ended.
        case gone
    }

    /// A parkable connection's part: its descriptor, its session, what waits for its channel.
    /// Boxed, so an endpoint that never parks (links, `socket.park-after = 0`) pays one word.
    /// Loop-confined.
    private final class Parking {
        let idle: IdleParking
        let session: ParkedSession
        /// The loop's list of awake parkable connections.
        let sweep: IdleSweep
        /// The channel's descriptor while attached.
        var descriptor: CInt
        /// Something moved since the last idle check.
        var busy = true
        /// The peer sent something since it connected or logged in (a quiet one parks soon).
        var spoke = false
        /// Its soon checks pending in ``sweep``: only the last one counts.
        var soonPending = 0
        /// Its slot in ``sweep`` while it is in it (awake).
        var slot: Int?
        /// Work that needs the channel, in the order it came, run once it is back.
        var waiting: [() -> Void] = []

        init(idle: IdleParking, session: ParkedSession, descriptor: CInt, sweep: IdleSweep) {
            self.idle = idle
            self.session = session
            self.descriptor = descriptor
            self.sweep = sweep
        }
    }

    init(channel: any Channel, logger: Logger, gauge: MemoryGauge? = nil, dropAbove: Int = 8 << 20,
         flushes: PendingFlushes? = nil, remote: Bool = false) {
        loop = channel.eventLoop
        self.remote = remote
        self.flushes = flushes
        attachment = .channel(channel)
        self.logger = logger
        self.gauge = gauge
        self.dropAbove = dropAbove
    }

    /// Loop-confined: the channel, when the connection has one now.
    private var channel: (any Channel)? {
        if case .channel(let channel) = attachment { return channel }
        return nil
    }

    /// Loop-confined: bytes written to the channel and not yet taken by the socket.
    private func queuedBytes() -> Int {
        (try? channel?.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
    }

    func send(_ bytes: [UInt8]) {
        // Noted on the thread that routed the bytes, whose turn waits for the answer, even
        // when the write itself hops to this endpoint's loop.
        if remote { BusyPoll.sentFar() }
        // Spelled out rather than through `inOrder`: this runs for every write, and the
        // escaping closure would be allocated even when the write happens right here.
        if loop.inEventLoop && hops.load(ordering: .acquiring) == 0 {
            write(bytes)
        } else {
            hop { self.write(bytes) }
        }
    }

    func close() {
        // Always deferred: closing fires channelInactive, which calls the hub, whose lock the
        // caller may hold.
        hop { self.closeAfterFlush() }
    }

    /// Runs `work` now if on the loop with nothing queued ahead of it, else queues it.
    private func inOrder(_ work: @escaping @Sendable () -> Void) {
        if loop.inEventLoop && hops.load(ordering: .acquiring) == 0 {
            work()
        } else {
            hop(work)
        }
    }

    /// Queues `work` on the loop, counted so later work keeps its place behind it.
    private func hop(_ work: @escaping @Sendable () -> Void) {
        hops.add(1, ordering: .relaxed)
        loop.execute { self.counted(work) }
    }

    /// Runs hopped work and marks it done, so later work from the loop may go first again.
    private func counted(_ work: @Sendable () -> Void) {
        work()
        hops.subtract(1, ordering: .releasing)
    }

    private func write(_ bytes: [UInt8]) {
        guard !closing else { return }
        guard let channel else { return whenAttached { self.write(bytes) } }
        parking?.busy = true
        if !channel.isWritable, queuedBytes() + bytes.count > dropAbove {
            // The peer stopped reading and its queue passed the limit: drop it rather than grow.
            // Past the watermark alone is not enough: one reply as large as `limits.body` may
            // exceed `limits.output-queue` by itself, and a peer reading it must not be dropped
            // for the next reply (docs/security.md "Resource limits").
            logger.warning("output queue limit reached, closing slow reader")
            dropSlowReader()
            return
        }
        if sealer != nil {
            let sealed = sealer?.seal(bytes) ?? []
            channel.write(channel.allocator.buffer(bytes: sealed), promise: nil)
        } else {
            channel.write(channel.allocator.buffer(bytes: bytes), promise: nil)
        }
        guard !flushScheduled else { return }
        flushScheduled = true
        if let flushes { return flushes.add(self) }
        loop.execute { self.flushNow() }
    }

    /// Hands what was written to the socket (the end of the loop's turn, or ``flushPending()``).
    func flushNow() {
        flushScheduled = false
        channel?.flush()
        measureQueue()
    }

    /// Flushes every connection of this loop that wrote since the last flush: the output of
    /// the first half of a large read leaves before the second half is routed (``ReadSplit``).
    func flushPending() {
        flushes?.flushNow()
    }

    /// Counts what the socket could not take yet against `limits.memory`, and watches it
    /// drain. Almost always the queue is empty after a flush and this costs one option read.
    private func measureQueue() {
        guard let gauge, !isDetached else { return }
        let queued = queuedBytes()
        gauge.chargeOutput(queued - charged)
        charged = queued
        guard queued > 0, !closing, let channel else { return }
        if queued > Self.slowReaderQueue && gauge.isExhausted {
            logger.warning("memory limit reached, closing a slow reader", metadata: ["queued": "\(queued)"])
            dropSlowReader()
            return
        }
        guard !watching else { return }
        // Write promises complete in order: this empty write's completes once everything
        // queued before it has gone to the socket.
        watching = true
        let marker = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0), promise: marker)
        marker.futureResult.whenComplete { _ in
            self.watching = false
            self.measureQueue()
        }
    }

    func pauseReading() {
        inOrder {
            self.readingPaused = true
            _ = self.channel?.setOption(ChannelOptions.autoRead, value: false)
        }
    }

    func resumeReading() {
        inOrder {
            self.readingPaused = false
            guard let channel = self.channel else { return }
            _ = channel.setOption(ChannelOptions.autoRead, value: true)
            channel.read()
        }
    }

    /// Scheduled, not `execute`d: NIO keeps running the tasks that are due, including those
    /// that tasks submit, before it looks at other connections again, so a session resuming
    /// itself at once would still have the loop to itself. Due no sooner than its last turn
    /// took, a backlogged session gets at most about half of the loop.
    func later(afterNanoseconds delay: Int64, _ work: @escaping @Sendable () -> Void) {
        hops.add(1, ordering: .relaxed)
        loop.scheduleTask(in: .nanoseconds(max(50_000, delay))) { self.counted(work) }
    }

    func detached() {
        hop {
            self.isDetached = true
            self.leaveSweep()
            self.gauge?.chargeOutput(-self.charged)
            self.charged = 0
            self.closeParked()
        }
    }

    /// Closes a peer that does not read (its queue passed a limit) rather than let it grow.
    private func dropSlowReader() {
        closing = true
        // Deferred: closing fires channelInactive, which calls the hub, whose lock may be held.
        guard let channel else { return }
        loop.execute { channel.close(promise: nil) }
    }

    func encrypt(with keys: SecureChannelKeys) {
        inOrder { self.startEncryption(keys) }
    }

    /// Sends this side's stream header (in clear, right after `AUTH_TRUE =)`), then seals
    /// every later write; inbound bytes go through the receiver from now on.
    private func startEncryption(_ keys: SecureChannelKeys) {
        guard let channel else { return whenAttached { self.startEncryption(keys) } }
        let sender = SecretStreamSender(key: keys.transmit)
        channel.write(channel.allocator.buffer(bytes: sender.header), promise: nil)
        sealer = sender
        opener = SecretStreamReceiver(key: keys.receive)
    }

    /// Decrypts received bytes once encryption is on; nil when they fail to decrypt (the
    /// caller closes: nothing of a tampered frame is delivered).
    func open(_ bytes: some Collection<UInt8>) -> [UInt8]? {
        guard opener != nil else { return Array(bytes) }
        do {
            return try opener?.receive(bytes)
        } catch {
            logger.warning("frame failed to decrypt, closing: \(error)")
            return nil
        }
    }

    private func closeAfterFlush() {
        guard !closing else { return }
        guard let channel else { return whenAttached { self.closeAfterFlush() } }
        closing = true
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in
            // Deferred for the same reason as above: never close inside the caller's stack.
            channel.eventLoop.execute { channel.close(promise: nil) }
        }
        checkStall(of: channel, queued: queuedBytes())
    }

    /// Closes `channel` (being closed after its output) once its peer took nothing of that
    /// output for ``closeStall``; `queued` is what waited at the last check.
    private func checkStall(of channel: any Channel, queued: Int) {
        guard queued > 0 else { return }
        channel.eventLoop.scheduleTask(in: Self.closeStall) {
            guard channel.isActive else { return }
            let now = self.queuedBytes()
            guard now < queued else {
                self.logger.info("closing a connection whose peer took none of its last output", metadata: ["queued": "\(now)"])
                return channel.close(promise: nil)
            }
            self.checkStall(of: channel, queued: now)
        }
    }
}

// MARK: - Parking (docs/performance.md "Idle memory")

extension SocketEndpoint {
    /// Lets the connection park once idle; called on its loop once the hub registered it. A
    /// peer that says nothing parks soon (``IdleParking/soon``), before its login.
    func allowParking(_ idle: IdleParking, descriptor: CInt, session: ParkedSession) {
        let parking = Parking(idle: idle, session: session, descriptor: descriptor, sweep: idle.sweep(for: loop))
        self.parking = parking
        joinSweep()
        scheduleSoonCheck()
    }

    /// Input arrived: the connection is not idle (two stores per read).
    func touch() {
        parking?.busy = true
        parking?.spoke = true
    }

    /// A session that logged in and then says nothing parks soon (``IdleParking/soon``), not
    /// after `socket.park-after`: during a burst of logins the channels of the first sessions
    /// are reused by the next ones instead of all existing at once, and their memory is not
    /// left between the sessions' own objects (docs/performance.md "Idle memory per session").
    func loggedIn() {
        inOrder { self.scheduleSoonCheck() }
    }

    /// Whether `channel` is the connection's channel now (the old channel of a parked one is not).
    func isAttached(to channel: any Channel) -> Bool {
        if case .channel(let current) = attachment { return current === channel }
        return false
    }

    /// The connection ended: what waited for its channel is dropped.
    func lost() {
        attachment = .gone
        parking?.waiting = []
        leaveSweep()
    }

    /// Loop-confined: its slot in the loop's ``IdleSweep`` (moved there by the sweep).
    var sweepSlot: Int? {
        get { parking?.slot }
        set { parking?.slot = newValue }
    }

    /// The parked connection's new channel is active: what waited runs now, in its order.
    func attach(_ channel: any Channel, descriptor: CInt) {
        attachment = .channel(channel)
        parking?.descriptor = descriptor
        parking?.busy = true
        let waiting = parking?.waiting ?? []
        parking?.waiting = []
        for work in waiting { work() }
        joinSweep()
    }

    /// Called on the parked-sockets thread: the descriptor has input or hung up.
    func parkedReady() {
        loop.execute { self.wake() }
    }

    /// Runs `work` once the connection has a channel again, waking it if parked; work for a
    /// connection that ended is dropped.
    private func whenAttached(_ work: @escaping () -> Void) {
        switch attachment {
        case .parked, .waking:
            parking?.waiting.append(work)
            wake()
        case .channel, .gone:
            return
        }
    }

    private func scheduleSoonCheck() {
        guard let parking, !isDetached else { return }
        parking.spoke = false
        parking.soonPending += 1
        parking.sweep.checkSoon(self)
    }

    /// Parks a connection whose peer said nothing since it connected or logged in, when
    /// nothing is in flight; otherwise the regular idle checks go on.
    func soonCheck() {
        guard let parking else { return }
        parking.soonPending -= 1
        guard parking.soonPending == 0, !parking.spoke, channel != nil, !closing, !isDetached else { return }
        _ = parkIfQuiet(parking)
    }

    /// Awake: checked by the loop's sweep every `socket.park-after` seconds.
    private func joinSweep() {
        guard let parking, parking.slot == nil, !isDetached else { return }
        parking.slot = parking.sweep.add(self)
    }

    private func leaveSweep() {
        guard let parking, let slot = parking.slot else { return }
        parking.slot = nil
        parking.sweep.remove(self, at: slot)
    }

    /// Called by the loop's sweep: parks the connection when nothing moved since the last
    /// sweep and nothing is in flight; one that is closing or forgotten leaves the sweep.
    func idleCheck() {
        guard let parking else { return }
        guard channel != nil, !closing, !isDetached else { return leaveSweep() }
        if parking.busy || !parkIfQuiet(parking) { parking.busy = false }
    }

    /// Parks the connection now unless something is in flight in either direction on this side
    /// (queued output, a flush or hop pending, reading paused) or input waits unread in the
    /// socket; false when it did not park. (Bytes the router holds for the session stay there;
    /// they are not the channel's.)
    private func parkIfQuiet(_ parking: Parking) -> Bool {
        guard let channel, !readingPaused, !flushScheduled, !watching, hops.load(ordering: .acquiring) == 0,
              parking.waiting.isEmpty, queuedBytes() == 0, !Self.hasInput(parking.descriptor) else { return false }
        // The channel owns its descriptor and closes it; the copy keeps the connection open.
        // NIO's close of a whole channel deregisters it from its epoll and calls close(2),
        // never shutdown(2) (swift-nio BaseSocketChannel.close0), so the peer notices nothing.
        let copy = fcntl(parking.descriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { return false }
        attachment = .parked(copy)
        leaveSweep()
        channel.close(promise: nil)
        if !parking.idle.sockets.watch(copy, for: self) { resume(copy) }
        return true
    }

    /// Whether `descriptor` has bytes (or the end of the stream) that its channel has not
    /// read yet: parking then would only wake it again at once.
    private static func hasInput(_ descriptor: CInt) -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) >= 0
    }

    /// Takes the descriptor back from ``ParkedSockets`` and gives it a channel.
    private func wake() {
        guard case .parked(let fd) = attachment, let parking else { return }
        parking.idle.sockets.forget(fd)
        resume(fd)
    }

    private func resume(_ fd: CInt) {
        guard let parking else { return }
        attachment = .waking
        parking.idle.adopt(fd, endpoint: self, session: parking.session, loop: loop, reading: !readingPaused)
    }

    /// The hub forgot a parked session: nothing will wake it, so its descriptor closes here.
    private func closeParked() {
        guard case .parked(let fd) = attachment, let parking else { return }
        parking.idle.sockets.forget(fd)
        Glibc.close(fd)
        attachment = .gone
        parking.session.ended?()
    }
}
