import CCubeSystem
import Foundation
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The descriptors of parked connections (docs/performance.md "Idle memory"), watched by one
/// `epoll` on a thread of its own: a parked connection has no NIO channel, only its descriptor
/// here and its ``SocketEndpoint``.
///
/// Each descriptor is watched once (`EPOLLONESHOT`) for input, a hang-up or an error; the
/// first of them wakes its endpoint, which takes the descriptor back on its own event loop
/// (``forget(_:)``) and gives it a channel again. A peer that closes while parked is noticed
/// that way too: the new channel reads the end of the stream and the session ends as today.
///
/// Wakes may be stale: between `epoll_wait` and the lookup here the endpoint may have woken
/// for output and its descriptor's number been reused by another parked connection. Waking
/// that one costs it a channel it did not need yet, never a byte.
final class ParkedSockets: @unchecked Sendable {
    private let epoll: CInt
    /// Written once by ``stop()`` to end the thread.
    private let stopper: CInt
    /// Who each watched descriptor belongs to, indexed by its number (8 bytes a slot).
    private let owners = NIOLockedValueBox<[SocketEndpoint?]>([])
    private let parkedCount = NIOLockedValueBox(0)
    /// Connections parked since the last `malloc_trim` (see ``trimAfterParking``).
    private let parkedSinceTrim = NIOLockedValueBox(0)
    private let finished = DispatchSemaphore(value: 0)
    private let started = NIOLockedValueBox(false)
    /// Set by ``stop()``: the `epoll` is closed and its number may be reused.
    private let stopped = NIOLockedValueBox(false)

    /// Parked connections after which the freed channels are worth a `malloc_trim`: glibc
    /// keeps freed heap for reuse, so without it 10,000 parked sessions would free about
    /// 17 MiB that the process still holds (docs/performance.md "Idle memory").
    static let trimAfterParking = 1000

    init() throws {
        epoll = CCubeSystem_epoll_create()
        guard epoll >= 0 else { throw IOError(errnoCode: errno, reason: "epoll_create1") }
        stopper = CCubeSystem_eventfd()
        guard stopper >= 0, CCubeSystem_epoll_watch(epoll, stopper) == 0 else {
            let code = errno
            if stopper >= 0 { Glibc.close(stopper) }
            Glibc.close(epoll)
            throw IOError(errnoCode: code, reason: "eventfd")
        }
    }

    /// Connections parked now.
    var count: Int { parkedCount.withLockedValue { $0 } }

    /// Starts the watching thread.
    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            watch()
        }
        thread.name = "cube-parked"
        started.withLockedValue { $0 = true }
        thread.start()
    }

    /// Watches `descriptor` for `endpoint`; false when `epoll` refused it (the caller keeps it
    /// awake instead).
    func watch(_ descriptor: CInt, for endpoint: SocketEndpoint) -> Bool {
        owners.withLockedValue { owners in
            let index = Int(descriptor)
            if owners.count <= index { owners.append(contentsOf: repeatElement(nil, count: index + 1 - owners.count)) }
            owners[index] = endpoint
        }
        // Under the stop lock: the `epoll`'s number is never used after ``stop()`` closed it.
        let added = stopped.withLockedValue { $0 ? -1 : CCubeSystem_epoll_watch_once(epoll, descriptor) }
        guard added == 0 else {
            owners.withLockedValue { $0[Int(descriptor)] = nil }
            return false
        }
        parkedCount.withLockedValue { $0 += 1 }
        parkedSinceTrim.withLockedValue { $0 += 1 }
        return true
    }

    /// Stops watching `descriptor` (its endpoint takes it back); called on the endpoint's loop.
    func forget(_ descriptor: CInt) {
        stopped.withLockedValue { if !$0 { _ = CCubeSystem_epoll_forget(epoll, descriptor) } }
        owners.withLockedValue { owners in
            if Int(descriptor) < owners.count { owners[Int(descriptor)] = nil }
        }
        parkedCount.withLockedValue { $0 -= 1 }
    }

    private func watch() {
        var ready = [CInt](repeating: -1, count: 256)
        var parkedBefore = 0
        while true {
            let count = ready.withUnsafeMutableBufferPointer { CCubeSystem_epoll_wait_fds(epoll, $0.baseAddress, 256, 1000) }
            if count < 0 {
                if errno == EINTR { continue }
                return
            }
            if count == 0 {
                // A quiet second: trim when many parked since the last trim and none in it.
                let parked = parkedSinceTrim.withLockedValue { $0 }
                if parked >= Self.trimAfterParking && parked == parkedBefore {
                    parkedSinceTrim.withLockedValue { $0 = 0 }
                    _ = CCubeSystem_malloc_trim()
                    parkedBefore = 0
                } else {
                    parkedBefore = parked
                }
                continue
            }
            for descriptor in ready[..<Int(count)] {
                if descriptor == stopper { return }
                let owner = owners.withLockedValue { Int(descriptor) < $0.count ? $0[Int(descriptor)] : nil }
                owner?.parkedReady()
            }
        }
    }

    /// Ends the thread and closes the `epoll`. Descriptors still parked stay open: their
    /// endpoints own them (the cube is shutting down; the process's exit closes them).
    func stop() {
        var one: UInt64 = 1
        _ = Glibc.write(stopper, &one, 8)
        if started.withLockedValue({ $0 }) { finished.wait() }
        Glibc.close(stopper)
        stopped.withLockedValue { done in
            done = true
            Glibc.close(epoll)
        }
    }
}
