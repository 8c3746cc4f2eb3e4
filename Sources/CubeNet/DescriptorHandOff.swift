import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// An accepted descriptor on its way to an event loop: the listener owns it until the loop
/// ``take()``s it, and whoever drops it untaken (a loop that is gone drops the task that
/// carries it) closes it here and says so through `abandoned`.
///
/// Why not close it when NIO's `withConnectedSocket` fails: NIO closes the descriptors it
/// has wrapped itself, so a second close could hit a number already reused. Handing over on
/// the loop's own thread makes the line sharp: before ``take()`` the descriptor is ours, after
/// it NIO's (docs/security.md "Resource limits").
final class DescriptorHandOff: Sendable {
    private let descriptor: NIOLockedValueBox<CInt?>
    private let abandoned: @Sendable () -> Void

    init(_ descriptor: CInt, abandoned: @escaping @Sendable () -> Void) {
        self.descriptor = NIOLockedValueBox(descriptor)
        self.abandoned = abandoned
    }

    /// The descriptor, once; from then on the taker owns it.
    func take() -> CInt? {
        descriptor.withLockedValue { taken in
            defer { taken = nil }
            return taken
        }
    }

    deinit {
        guard let fd = take() else { return }
        Glibc.close(fd)
        abandoned()
    }
}
