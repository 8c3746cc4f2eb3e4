import Synchronization

/// The cube's memory as `limits.memory` counts it (docs/security.md "Resource limits"):
/// output queued in socket endpoints for peers that read slowly, and what the router holds
/// for its users. Shared by the hub (which hands the output figure to the router and stores
/// the router's) and every socket endpoint (which charges its queue here).
package final class MemoryGauge: Sendable {
    private let limitBytes: Atomic<Int>
    private let output = Atomic<Int>(0)
    private let router = Atomic<Int>(0)

    package init(limit: Int) {
        self.limitBytes = Atomic(limit)
    }

    /// `limits.memory`; a reload may change it.
    package var limit: Int {
        get { limitBytes.load(ordering: .relaxed) }
        set { limitBytes.store(newValue, ordering: .relaxed) }
    }

    /// Bytes queued for slow readers now.
    package var outputBytes: Int { output.load(ordering: .relaxed) }

    /// Bytes the router holds, as last stored by the hub.
    package var routerBytes: Int {
        get { router.load(ordering: .relaxed) }
        set { router.store(newValue, ordering: .relaxed) }
    }

    /// Whether the cube as a whole is past its limit.
    package var isExhausted: Bool { outputBytes + routerBytes > limit }

    /// Adds (or, negative, returns) queued output.
    package func chargeOutput(_ bytes: Int) {
        guard bytes != 0 else { return }
        output.add(bytes, ordering: .relaxed)
    }
}
