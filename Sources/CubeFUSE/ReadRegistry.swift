import CFuse3
import Logging
import Synchronization

/// The bridge's list of unanswered reads, so interrupts find them and unmount can end them.
///
/// Entries are weak: the file system owns parked requests. Keys are `fuse_req_t` addresses; an
/// address cannot be reused while its request is listed, because libfuse frees a request only after
/// its reply.
final class ReadRegistry: Sendable {
    private struct WeakRead {
        weak var request: ReadRequest?
    }

    private struct State {
        var reads: [UInt: WeakRead] = [:]
        var closed = false
    }

    let gate: ReplyGate
    private let logger: Logger
    /// Protected by its own mutex; never held while replying.
    private let state = Mutex(State())

    init(gate: ReplyGate, logger: Logger) {
        self.gate = gate
        self.logger = logger
    }

    /// Lists a new request unless unmount has begun.
    /// - Returns: `false` if the mount is closing; the caller then answers end-of-file.
    func insert(_ request: ReadRequest) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            state.reads[request.key] = WeakRead(request: request)
            return true
        }
    }

    func remove(_ key: UInt) {
        _ = state.withLock { $0.reads.removeValue(forKey: key) }
    }

    /// Finds an unanswered request by its `fuse_req_t`.
    func request(for raw: OpaquePointer) -> ReadRequest? {
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(raw)))
        return state.withLock { $0.reads[key]?.request }
    }

    /// Refuses new reads and answers end-of-file to every unanswered one.
    /// - Returns: `false` if it had been closed before.
    @discardableResult
    func closeAndAnswerAll() -> Bool {
        let (wasOpen, pending) = state.withLock { state -> (Bool, [ReadRequest]) in
            defer { state.closed = true }
            return (!state.closed, state.reads.values.compactMap(\.request))
        }
        for request in pending { request.reply(bytes: []) }
        return wasOpen
    }

    func droppedWithoutReply(ino: UInt64) {
        logger.error("read request dropped without a reply; answered EIO", metadata: ["ino": "\(ino)"])
    }
}
