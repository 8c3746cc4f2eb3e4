import CFuse3
import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Sends kernel cache invalidations from its own thread, never from inside a FUSE handler.
///
/// Calling `fuse_lowlevel_notify_*` from a handler (or while holding a lock a handler needs) can
/// deadlock: the kernel may wait for the very request being handled. So tree mutations only
/// ``send(_:)`` here (cheap, never blocks) and a worker thread delivers them in order.
/// `-ENOENT` answers are expected (the kernel had nothing cached); `-ENOSYS` means the kernel does
/// not support notifications, and the notifier stops. Nothing is sent before the kernel's INIT or
/// for inodes the kernel holds no reference to.
package final class Notifier: Sendable {
    private struct State {
        var queue: [Invalidation] = []
        var stopped = false
        var disabled = false
    }

    /// Protected by its own mutex; never held while notifying.
    private let state = Mutex(State())
    private let wakeUp = DispatchSemaphore(value: 0)
    private let session: SessionPointer
    private let bridge: Bridge
    private let logger: Logger
    /// Set once in `start()`, before any `stop()`.
    private let worker = Mutex<JoinableThread?>(nil)

    init(session: SessionPointer, bridge: Bridge, logger: Logger) {
        self.session = session
        self.bridge = bridge
        self.logger = logger
    }

    /// Queues an invalidation; returns at once. Safe from any thread, including FUSE handlers.
    /// - Parameter invalidation: What to drop from the kernel's caches.
    package func send(_ invalidation: Invalidation) {
        send(contentsOf: [invalidation])
    }

    /// Queues several invalidations, in order.
    /// - Parameter invalidations: What to drop from the kernel's caches.
    package func send(contentsOf invalidations: [Invalidation]) {
        guard !invalidations.isEmpty else { return }
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped, !state.disabled else { return false }
            state.queue.append(contentsOf: invalidations)
            return true
        }
        if accepted { wakeUp.signal() }
    }

    func start() throws(Errno) {
        let thread = try JoinableThread { [self] in run() }
        worker.withLock { $0 = thread }
    }

    /// Stops after the invalidation in progress; queued ones are dropped.
    func stop() {
        state.withLock { $0.stopped = true }
        wakeUp.signal()
        worker.withLock { $0 }?.join()
    }

    private func run() {
        while true {
            wakeUp.wait()
            let batch = state.withLock { state -> [Invalidation]? in
                if state.stopped { return nil }
                defer { state.queue.removeAll() }
                return state.queue
            }
            guard let batch else { return }
            for invalidation in batch where !deliver(invalidation) {
                state.withLock {
                    $0.disabled = true
                    $0.queue.removeAll()
                }
                logger.warning("kernel does not support FUSE notifications; caches expire by timeout only")
                return
            }
        }
    }

    /// Sends one invalidation; returns `false` on `ENOSYS`.
    private func deliver(_ invalidation: Invalidation) -> Bool {
        guard bridge.isInitialized else { return true }
        var result: Int32 = 0
        bridge.gate.withOpenSession {
            result = invoke(invalidation)
        }
        switch -result {
        case 0, ENOENT: return true
        case ENOSYS: return false
        default:
            logger.debug("FUSE notification failed", metadata: ["errno": "\(-result)", "what": "\(invalidation)"])
            return true
        }
    }

    private func invoke(_ invalidation: Invalidation) -> Int32 {
        switch invalidation {
        case .entry(let parent, let name):
            guard isKnown(parent) else { return 0 }
            return name.withCString { fuse_lowlevel_notify_inval_entry(session.raw, parent, $0, name.utf8.count) }
        case .delete(let parent, let child, let name):
            guard isKnown(parent) else { return 0 }
            return name.withCString {
                fuse_lowlevel_notify_delete(session.raw, parent, child, $0, name.utf8.count)
            }
        case .inode(let ino, let offset, let length):
            guard isKnown(ino) else { return 0 }
            return fuse_lowlevel_notify_inval_inode(session.raw, ino, off_t(offset), off_t(length))
        }
    }

    private func isKnown(_ ino: UInt64) -> Bool {
        ino == UInt64(FUSE_ROOT_ID) || bridge.lookupCount(of: ino) > 0
    }
}

/// The `fuse_session *`, shared read-only between the loop, the notifier and unmount.
/// libfuse's reply and notify functions are thread-safe; the session is destroyed only after every
/// user has stopped (see ``FUSEMount/unmount()``).
struct SessionPointer: @unchecked Sendable {
    let raw: OpaquePointer
}
