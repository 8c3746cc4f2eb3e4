import CubeCore
import Logging
import NIOCore

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

    init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    func send(_ bytes: [UInt8]) {
        if channel.eventLoop.inEventLoop {
            write(bytes)
        } else {
            channel.eventLoop.execute { self.write(bytes) }
        }
    }

    func close() {
        channel.eventLoop.execute { self.closeAfterFlush() }
    }

    private func write(_ bytes: [UInt8]) {
        guard !closing else { return }
        guard channel.isWritable else {
            // The peer stopped reading and its queue passed the limit: drop it rather than grow.
            logger.warning("output queue limit reached, closing slow reader")
            closing = true
            // Deferred: closing fires channelInactive, which calls the hub, whose lock may be held.
            let channel = self.channel
            channel.eventLoop.execute { channel.close(promise: nil) }
            return
        }
        channel.write(channel.allocator.buffer(bytes: bytes), promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        channel.eventLoop.execute {
            self.flushScheduled = false
            self.channel.flush()
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
