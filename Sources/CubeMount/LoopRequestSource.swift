import CubeFUSE
import CubeNet

/// Serves the mount's `/dev/fuse` on one of the cube's event loops (``DeviceReader``) instead
/// of a thread of the mount's own (docs/architecture.md "Threads"; why: docs/performance.md
/// "The mount's round trip").
final class LoopRequestSource: FUSERequestSource {
    private let reader: DeviceReader

    init(reader: DeviceReader) {
        self.reader = reader
    }

    func start(descriptor: Int32, bufferSize: Int,
               request: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
               ended: @escaping @Sendable () -> Void) throws(Errno) {
        do {
            try reader.start(descriptor: descriptor, bufferSize: bufferSize, onRead: request, onEnd: ended)
        } catch {
            throw Errno(rawValue: error.errno)
        }
    }

    func stop() { reader.stop() }

    var isCurrent: Bool { reader.isCurrent }
}
