import CubeRuntime
import Foundation
import Logging
import ServiceLifecycle

/// Runs the ``Manager`` for the lifetime of the cube; on shutdown it stops every zenka
/// before the socket closes (the service group stops services in reverse order).
package final class ManagerService: Service {
    private let manager: Manager
    private let listening: Readiness

    /// - Parameter listening: signalled once the socket accepts connections.
    package init(manager: Manager, after listening: Readiness) {
        self.manager = manager
        self.listening = listening
    }

    package func run() async throws {
        // If the server never comes up the group shuts down or is cancelled: stop waiting then.
        let listening = self.listening
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler { await listening.wait() } onGracefulShutdown: { listening.signal() }
        } onCancel: {
            listening.signal()
        }
        guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
        manager.start()
        try? await gracefulShutdown()
        let manager = self.manager
        // Stopping waits for processes to exit: keep that off the Swift concurrency pool.
        await withCheckedContinuation { continuation in
            Thread {
                manager.stopAll()
                continuation.resume()
            }.start()
        }
    }
}
