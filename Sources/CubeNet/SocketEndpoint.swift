import CubeAuth
import CubeCore
import CubeRuntime
import Logging
import NIOCore
import Synchronization

/// The endpoint of a socket connection.
///
/// Writes made on the channel's event loop are batched: the first write of a loop tick
/// schedules one flush for the end of the tick, so a burst of pipelined commands costs one
/// `writev` per connection instead of one per reply.
final class SocketEndpoint: SessionEndpoint, @unchecked Sendable {
    private let channel: any Channel
    private let logger: Logger
    /// Loop-confined: whether a flush is already scheduled for this tick.
    private var flushScheduled = false
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

    /// Queued bytes past which a peer that does not read is dropped: `limits.output-queue`
    /// plus one largest message (`limits.body`).
    private let dropAbove: Int

    init(channel: any Channel, logger: Logger, gauge: MemoryGauge? = nil, dropAbove: Int = 8 << 20) {
        self.channel = channel
        self.logger = logger
        self.gauge = gauge
        self.dropAbove = dropAbove
    }

    /// Loop-confined: bytes written to the channel and not yet taken by the socket.
    private func queuedBytes() -> Int {
        (try? channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
    }

    func send(_ bytes: [UInt8]) {
        // Spelled out rather than through `inOrder`: this runs for every write, and the
        // escaping closure would be allocated even when the write happens right here.
        if channel.eventLoop.inEventLoop && hops.load(ordering: .acquiring) == 0 {
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
        if channel.eventLoop.inEventLoop && hops.load(ordering: .acquiring) == 0 {
            work()
        } else {
            hop(work)
        }
    }

    /// Queues `work` on the loop, counted so later work keeps its place behind it.
    private func hop(_ work: @escaping @Sendable () -> Void) {
        hops.add(1, ordering: .relaxed)
        channel.eventLoop.execute { self.counted(work) }
    }

    /// Runs hopped work and marks it done, so later work from the loop may go first again.
    private func counted(_ work: @Sendable () -> Void) {
        work()
        hops.subtract(1, ordering: .releasing)
    }

    private func write(_ bytes: [UInt8]) {
        guard !closing else { return }
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
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.channel.flush()
            self.measureQueue()
        }
    }

    /// Counts what the socket could not take yet against `limits.memory`, and watches it
    /// drain. Almost always the queue is empty after a flush and this costs one option read.
    private func measureQueue() {
        guard let gauge, !isDetached else { return }
        let queued = queuedBytes()
        gauge.chargeOutput(queued - charged)
        charged = queued
        guard queued > 0, !closing else { return }
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
        inOrder { _ = self.channel.setOption(ChannelOptions.autoRead, value: false) }
    }

    func resumeReading() {
        inOrder {
            _ = self.channel.setOption(ChannelOptions.autoRead, value: true)
            self.channel.read()
        }
    }

    /// Scheduled, not `execute`d: NIO keeps running the tasks that are due, including those
    /// that tasks submit, before it looks at other connections again, so a session resuming
    /// itself at once would still have the loop to itself. Due no sooner than its last turn
    /// took, a backlogged session gets at most about half of the loop.
    func later(afterNanoseconds delay: Int64, _ work: @escaping @Sendable () -> Void) {
        hops.add(1, ordering: .relaxed)
        channel.eventLoop.scheduleTask(in: .nanoseconds(max(50_000, delay))) { self.counted(work) }
    }

    func detached() {
        hop {
            self.isDetached = true
            self.gauge?.chargeOutput(-self.charged)
            self.charged = 0
        }
    }

    /// Closes a peer that does not read (its queue passed a limit) rather than let it grow.
    private func dropSlowReader() {
        closing = true
        // Deferred: closing fires channelInactive, which calls the hub, whose lock may be held.
        let channel = self.channel
        channel.eventLoop.execute { channel.close(promise: nil) }
    }

    func encrypt(with keys: SecureChannelKeys) {
        inOrder { self.startEncryption(keys) }
    }

    /// Sends this side's stream header (in clear, right after `AUTH_TRUE =)`), then seals
    /// every later write; inbound bytes go through the receiver from now on.
    private func startEncryption(_ keys: SecureChannelKeys) {
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
        closing = true
        let channel = self.channel
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in
            // Deferred for the same reason as above: never close inside the caller's stack.
            channel.eventLoop.execute { channel.close(promise: nil) }
        }
    }
}
