import CubeFUSE
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Serves the mount's `/dev/fuse` on one of the cube's event loops: the loop of the cube's own
/// uid's unix connections (docs/architecture.md "Threads"). The zenki the cube starts connect
/// as that uid, so a command written to `cmd` is read, routed and written to the zenka's
/// socket in one turn of one thread, with no hop (docs/performance.md "The mount's round trip").
///
/// A NIO pipe channel over the descriptor (a copy the mount hands over) reads into one fixed
/// buffer of the size the kernel demands (NIO keeps the buffer while nobody else holds it). A
/// request never fills it, so NIO reads once per readiness and leaves the next request to the
/// next `epoll_wait`. Any read error (`/dev/fuse` answers `ENODEV` once the kernel ended the
/// connection) closes the channel, and that ends serving. ``start(descriptor:bufferSize:request:ended:)``
/// and ``stop()`` wait for the loop: the mount calls them on its mount and unmount threads,
/// never on an event loop.
package final class FUSELoopSource: FUSERequestSource {
    private let network: NetworkLoop
    private let uid: UInt32
    private struct Serving {
        let loop: any EventLoop
        let channel: any Channel
        let release: @Sendable () -> Void
    }
    private let serving = NIOLockedValueBox<Serving?>(nil)

    /// - Parameters:
    ///   - network: The cube's event loops.
    ///   - uid: Whose connections' loop serves the mount: the cube's own (`getuid()`).
    package init(network: NetworkLoop, uid: UInt32) {
        self.network = network
        self.uid = uid
    }

    package var isCurrent: Bool { serving.withLockedValue { $0 }?.loop.inEventLoop ?? false }

    package func start(descriptor: Int32, bufferSize: Int,
                      request: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
                      ended: @escaping @Sendable () -> Void) throws(Errno) {
        // Held like one more connection of `uid` until stop: its later connections come here too.
        let (loop, release) = network.reserve(forUID: uid)
        let started = NIOPipeBootstrap(group: loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: bufferSize))
            // One buffer in NIO's pool, not one per read of a readiness.
            .channelOption(.maxMessagesPerRead, value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Reader(request: request, ended: ended))
                }
            }
            .takingOwnershipOfDescriptor(input: descriptor)
        do {
            let channel = try started.wait()
            serving.withLockedValue { $0 = Serving(loop: loop, channel: channel, release: release) }
        } catch {
            release()
            // A failed future leaves the descriptor with the caller (NIOPipeBootstrap's contract).
            close(descriptor)
            throw Errno(rawValue: (error as? IOError)?.errnoCode ?? EIO)
        }
    }

    package func stop() {
        guard let current = serving.withLockedValue({ $0 }) else { return }
        current.channel.close(promise: nil)
        try? current.channel.closeFuture.wait()
        current.release()
    }

    /// Hands each read to the mount; the end of the channel is the end of serving.
    private final class Reader: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let request: @Sendable (UnsafeRawBufferPointer) -> Void
        private let ended: @Sendable () -> Void

        init(request: @escaping @Sendable (UnsafeRawBufferPointer) -> Void, ended: @escaping @Sendable () -> Void) {
            self.request = request
            self.ended = ended
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = Self.unwrapInboundIn(data)
            BusyPoll.read(buffer.readableBytes)
            buffer.withUnsafeReadableBytes { request($0) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            ended()
        }

        /// Read errors end serving (NIO closes the channel after this); nothing to add.
        func errorCaught(context: ChannelHandlerContext, error: any Error) {}
    }
}
