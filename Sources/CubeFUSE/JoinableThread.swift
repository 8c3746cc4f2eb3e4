#if canImport(Glibc)
    import Glibc
#endif

/// A plain POSIX thread that can be joined, for loops that block in system calls (never run those
/// on the Swift concurrency pool). All signals are blocked on it, so the owning process's signal
/// handling is not disturbed.
final class JoinableThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Written once in `init` (before any other thread sees it), read by `join`.
    private nonisolated(unsafe) var thread = pthread_t()

    /// Starts the thread.
    /// - Parameter body: The code to run.
    /// - Throws: ``Errno`` if the thread cannot be created.
    init(_ body: @escaping @Sendable () -> Void) throws(Errno) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var blockAll = sigset_t()
        var previous = sigset_t()
        sigfillset(&blockAll)
        pthread_sigmask(SIG_SETMASK, &blockAll, &previous)
        let result = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                Unmanaged<Body>.fromOpaque(raw).takeRetainedValue().run()
                return nil
            }, context)
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard result == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw Errno(rawValue: result)
        }
    }

    /// Waits for the thread to finish. Call once, never from the thread itself.
    func join() {
        pthread_join(thread, nil)
    }

    /// Whether the caller is this thread.
    var isCurrent: Bool { pthread_equal(pthread_self(), thread) != 0 }
}
