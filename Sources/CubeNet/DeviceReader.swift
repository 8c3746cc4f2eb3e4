import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Reads a character device that hands out one message per `read` (the mount's `/dev/fuse`)
/// on one of the cube's event loops (docs/architecture.md "Threads").
///
/// A NIO pipe channel over the descriptor, reading into one fixed buffer of the size the device
/// demands (NIO keeps the buffer while nobody else holds it). A message never fills it, so NIO
/// reads once per readiness and leaves the next message to the next `epoll_wait`. Any read
/// error (`/dev/fuse` answers `ENODEV` once the kernel ended the connection) closes the
/// channel, and that is the end.
package final class DeviceReader: Sendable {
    private let loop: any EventLoop
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// - Parameter loop: The loop that reads and handles every message.
    package init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Whether the caller runs on the reading loop.
    package var isCurrent: Bool { loop.inEventLoop }

    /// Why reading could not start: the error number (`EIO` when NIO gave none).
    package struct StartFailure: Error {
        package let errno: Int32
    }

    /// Starts reading `descriptor` (made non-blocking); the reader owns it from now on and
    /// closes it when reading ends, also when this throws.
    /// - Parameters:
    ///   - bufferSize: The size of every read.
    ///   - onRead: Gets each message on the loop; the bytes are valid only during the call.
    ///   - onEnd: Called once on the loop when reading has ended.
    package func start(descriptor: CInt, bufferSize: Int,
                       onRead: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
                       onEnd: @escaping @Sendable () -> Void) throws(StartFailure) {
        let started = NIOPipeBootstrap(group: loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: bufferSize))
            // One buffer in NIO's pool, not one per read of a readiness.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(onRead: onRead, onEnd: onEnd))
                }
            }
            .takingOwnershipOfDescriptor(input: descriptor)
        do {
            let channel = try started.wait()
            self.channel.withLockedValue { $0 = channel }
        } catch {
            // A failed future leaves the descriptor with the caller (NIOPipeBootstrap's contract).
            close(descriptor)
            throw StartFailure(errno: (error as? IOError)?.errnoCode ?? EIO)
        }
    }

    /// Stops reading and closes the descriptor; returns once `onEnd` has run. Never call it on
    /// the reading loop.
    package func stop() {
        guard let channel = channel.withLockedValue({ $0 }) else { return }
        channel.close(promise: nil)
        try? channel.closeFuture.wait()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let onRead: @Sendable (UnsafeRawBufferPointer) -> Void
        private let onEnd: @Sendable () -> Void

        init(onRead: @escaping @Sendable (UnsafeRawBufferPointer) -> Void, onEnd: @escaping @Sendable () -> Void) {
            self.onRead = onRead
            self.onEnd = onEnd
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            Self.unwrapInboundIn(data).withUnsafeReadableBytes { onRead($0) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            onEnd()
        }

        /// Read errors end reading (NIO closes the channel after this); nothing to add.
        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }
}
