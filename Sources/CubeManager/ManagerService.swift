import CubeNet
import Foundation
import Logging
import ServiceLifecycle

/// Runs the ``Manager`` for the lifetime of the cube; on shutdown it stops every zenka
/// before the socket closes (the service group stops services in reverse order).
public final class ManagerService: Service {
    private let manager: Manager

    public init(manager: Manager) { self.manager = manager }

    public func run() async throws {
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
