/// Who reads the kernel's requests from `/dev/fuse` for a ``FUSEMount``, when it is not the
/// mount's own loop thread (``SessionLoop``).
///
/// The cube serves its mount from one of its event loops (docs/architecture.md "Threads"): a
/// command written to `cmd` then reaches a zenka's socket on the thread that read it, with no
/// hop between threads, and the loop's one `epoll_wait` replaces the loop thread's `poll`
/// (docs/performance.md "The mount's round trip").
///
/// The source gets a duplicate of the descriptor and owns it. It must read it non-blocking,
/// hand each read (one kernel request, never more) to `request` on one thread at a time, and
/// call `ended` once when it stops reading, whether the kernel ended the connection (a read
/// fails with `ENODEV` at unmount) or ``stop()`` was called. Requests are handled on that
/// thread: it must be free to block briefly (the file system's locks, the hub's), and nothing
/// that thread waits for may wait for the mount.
public protocol FUSERequestSource: Sendable {
    /// Starts reading `descriptor`.
    /// - Parameters:
    ///   - descriptor: A duplicate of the session's `/dev/fuse` descriptor; the source closes it
    ///     when it stops, also when this throws.
    ///   - bufferSize: The size every read must offer (``FUSEMount/requestBufferSize``): the
    ///     kernel refuses smaller reads.
    ///   - request: Handles the bytes of one read; they are valid only during the call.
    ///   - ended: Called once, on the reading thread, when no more requests will be handed over.
    /// - Throws: ``Errno`` when reading cannot start.
    func start(descriptor: Int32, bufferSize: Int,
               request: @escaping @Sendable (UnsafeRawBufferPointer) -> Void,
               ended: @escaping @Sendable () -> Void) throws(Errno)

    /// Stops reading and closes the descriptor; returns once `ended` has run. Idempotent; never
    /// called from the reading thread.
    func stop()

    /// Whether the calling thread is the one that handles requests.
    var isCurrent: Bool { get }
}
