import CFuse3
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One kernel read that is answered exactly once: now, or later from any thread (parked).
///
/// The first of ``reply(bytes:)``, ``reply(error:)``, an interrupt, or unmount wins; every later
/// reply is a no-op that returns `false`. If the request is interrupted by a signal (Ctrl-C on a
/// blocked `cat`), the bridge replies `EINTR` and runs the ``onInterrupt(_:)`` handler so the file
/// system can drop it. A request released without any reply answers `EIO` (a bug, not a hang).
public final class ReadRequest: @unchecked Sendable {
    /// The file being read.
    public let ino: UInt64
    /// The open handle.
    public let handle: UInt64
    /// The most bytes the reader accepts; longer replies are cut to this size.
    public let size: Int
    /// The file offset of the read.
    public let offset: Int64
    /// The file's current open flags (test `O_NONBLOCK`).
    public let flags: Int32
    /// The reader.
    public let context: RequestContext

    private enum State {
        case pending(onInterrupt: (@Sendable () -> Void)?)
        case answered
        case interrupted
    }

    /// `raw` is only used by the thread that moved `state` out of `.pending`.
    private let raw: OpaquePointer
    private let registry: ReadRegistry
    /// Protected by its own mutex; never held while calling into libfuse or a handler.
    private let state = Mutex(State.pending(onInterrupt: nil))

    init(
        raw: OpaquePointer, ino: UInt64, handle: UInt64, size: Int, offset: Int64, flags: Int32,
        context: RequestContext, registry: ReadRegistry
    ) {
        self.raw = raw
        self.ino = ino
        self.handle = handle
        self.size = size
        self.offset = offset
        self.flags = flags
        self.context = context
        self.registry = registry
    }

    var key: UInt { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(raw))) }

    /// Whether the request is finished (answered, interrupted, or ended by unmount).
    public var isCompleted: Bool {
        state.withLock { if case .pending = $0 { false } else { true } }
    }

    /// Answers with data; an empty reply means end of file.
    /// - Parameter bytes: At most ``size`` bytes; extra bytes are dropped.
    /// - Returns: `true` if this call sent the reply, `false` if the request was already finished.
    @discardableResult
    public func reply(bytes: [UInt8]) -> Bool {
        guard finish() else { return false }
        let count = min(bytes.count, size)
        registry.gate.withOpenSession {
            bytes.withUnsafeBytes { buffer in _ = fuse_reply_buf(raw, buffer.baseAddress, count) }
        }
        return true
    }

    /// Answers with an error, e.g. ``Errno/resourceTemporarilyUnavailable`` for `O_NONBLOCK` readers.
    /// - Parameter error: The error number.
    /// - Returns: `true` if this call sent the reply, `false` if the request was already finished.
    @discardableResult
    public func reply(error: Errno) -> Bool {
        guard finish() else { return false }
        registry.gate.withOpenSession { _ = fuse_reply_err(raw, error.rawValue) }
        return true
    }

    /// Registers code to run once if the read is interrupted (it runs on the thread serving the
    /// mount, or at once on the calling thread if the read was already interrupted). It must not block; it may
    /// take the file system's lock, so do not call this while holding a lock the handler takes.
    /// - Parameter handler: Typically removes the request from a parked-reads queue.
    public func onInterrupt(_ handler: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            switch state {
            case .pending: state = .pending(onInterrupt: handler); return false
            case .interrupted: return true
            case .answered: return false
            }
        }
        if runNow { handler() }
    }

    /// Moves to `.answered`; returns whether this caller won.
    private func finish() -> Bool {
        let won = state.withLock { state -> Bool in
            guard case .pending = state else { return false }
            state = .answered
            return true
        }
        if won { registry.remove(key) }
        return won
    }

    /// Called for an interrupted read: by libfuse's interrupt callback (loop thread) or by the bridge.
    func interrupt() {
        let outcome = state.withLock { state -> (won: Bool, handler: (@Sendable () -> Void)?) in
            guard case .pending(let handler) = state else { return (false, nil) }
            state = .interrupted
            return (true, handler)
        }
        guard outcome.won else { return }
        registry.remove(key)
        registry.gate.withOpenSession { _ = fuse_reply_err(raw, EINTR) }
        outcome.handler?()
    }

    deinit {
        let pending = state.withLock { if case .pending = $0 { true } else { false } }
        if pending {
            registry.remove(key)
            registry.droppedWithoutReply(ino: ino)
            registry.gate.withOpenSession { _ = fuse_reply_err(raw, Errno.ioError.rawValue) }
        }
    }
}
