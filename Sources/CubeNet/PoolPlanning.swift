import CubeRuntime
import NIOConcurrencyHelpers
import NIOCore

/// The timer behind ``RouterAction/planPools``: calls ``Hub/planPools()`` at once on the
/// router's request, then every 100 ms until a call returns false, so the pools' planners meet a
/// surge within `scale.surge-after` while an idle cube is not woken (docs/pooling.md "Surges").
final class PoolPlanning: Sendable {
    private let hub: Hub
    private let loop: any EventLoop
    /// The running timer (nil when none), and whether the cube shuts down (no timer again).
    private struct State {
        var task: RepeatedTask?
        var stopped = false
    }
    private let state = NIOLockedValueBox(State())

    init(hub: Hub, loop: any EventLoop) {
        self.hub = hub
        self.loop = loop
    }

    /// Starts the timer unless it runs (the router asks again each second while it wants it).
    func start() {
        state.withLockedValue { state in
            guard state.task == nil, !state.stopped else { return }
            state.task = loop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(100)) { [self] repeated in
                // Called outside the lock: what the call leaves to do may ask to start again.
                guard !hub.planPools() else { return }
                self.state.withLockedValue { state in
                    // A command queued since the call asked again and found this timer still
                    // set: it goes on. One queued after this look finds it gone and starts one.
                    guard !hub.inspect({ $0.poolsWantPlanning }) else { return }
                    repeated.cancel()
                    state.task = nil
                }
            }
        }
    }

    /// Whether the timer runs.
    var isRunning: Bool { state.withLockedValue { $0.task != nil } }

    /// Stops the timer for good (the cube shuts down).
    func stop() {
        state.withLockedValue { state in
            state.stopped = true
            state.task?.cancel()
            state.task = nil
        }
    }
}
