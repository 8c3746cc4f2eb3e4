import CubeCore
import NIOConcurrencyHelpers

extension NIOLockedValueBox where Value == LoopShares {
    /// Assigns `key` (a peer's uid, or a TCP connection's own key) to a loop and returns that
    /// loop's index with the closure that gives the share back. The closure may be called from
    /// several failure paths (a closed channel, a dropped hand-off); only its first call counts.
    func reserve(_ key: UInt32) -> (index: Int, release: @Sendable () -> Void) {
        let index = withLockedValue { $0.assign(key) }
        let once = NIOLockedValueBox<Bool>(false)
        return (index, { [self] in
            guard !once.withLockedValue({ done in defer { done = true }; return done }) else { return }
            withLockedValue { $0.release(key) }
        })
    }
}
