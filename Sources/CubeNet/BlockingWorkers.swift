import Foundation

/// A few dedicated threads for blocking or CPU-heavy work (password hashing) that must not
/// run on an event loop or on the 2-thread Swift concurrency pool.
final class BlockingWorkers: Sendable {
    private let queue: DispatchQueue

    init(name: String) {
        queue = DispatchQueue(label: name, attributes: .concurrent)
    }

    /// Runs `work` on a worker thread.
    func submit(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }
}
