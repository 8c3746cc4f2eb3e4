import Foundation

/// A small pool of dedicated threads for CPU-heavy work (Argon2id password checks, about
/// 64 MiB and 0.1 s each) that must not run on an event loop or on the 2-thread Swift
/// concurrency pool. At most `width` jobs run at once, so a login flood cannot exhaust memory.
final class BlockingWorkers: Sendable {
    private let queue: OperationQueue

    init(name: String, width: Int = 2) {
        let queue = OperationQueue()
        queue.name = name
        queue.maxConcurrentOperationCount = width
        self.queue = queue
    }

    /// Runs `work` on a worker thread.
    func submit(_ work: @escaping @Sendable () -> Void) {
        queue.addOperation(work)
    }
}
