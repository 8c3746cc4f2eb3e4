import CubeFUSE
import CubeMetrics
import Foundation
import CubeRuntime
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// Mounts the network at a directory for the lifetime of the cube.
///
/// On graceful shutdown parked reads end, the mount is removed, and the directory is left
/// empty. Mounting and unmounting block (they may run `fusermount3`), so they run on a
/// dedicated thread, never on the Swift concurrency pool.
package final class MountService: Service {
    private let hub: Hub
    private let path: String
    private let allowOther: Bool
    private let logger: Logger

    private let metrics: CubeMetricsExporter?
    /// Reads and hands over the kernel's requests (the cube's: an event loop); nil: a thread of the mount's.
    private let requestSource: (any FUSERequestSource)?

    /// - Parameters:
    ///   - metrics: serves the `metrics` file and receives the mount's operation counts.
    ///   - requestSource: serves the mount's requests: the cube hands it one of its event loops
    ///     (docs/architecture.md "Threads"). Without it the mount runs a thread of its own.
    package init(hub: Hub, path: String, allowOther: Bool, metrics: CubeMetricsExporter? = nil,
                requestSource: (any FUSERequestSource)? = nil, logger: Logger) {
        self.hub = hub
        self.requestSource = requestSource
        self.metrics = metrics
        self.path = path
        self.allowOther = allowOther
        self.logger = logger
    }

    package func run() async throws {
        let path = self.path
        Directories.make(path)
        let metrics = self.metrics
        var metricsText: (@Sendable () -> String)?
        if let metrics { metricsText = { metrics.exposition() } }
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: path, metricsText: metricsText, logger: logger)
        metrics?.attachMount { [operations = fileSystem.operations] in operations.snapshot }
        let options = MountOptions(allowOther: allowOther, fsname: "protocol-7", subtype: "cube")
        let logger = self.logger
        let mount: FUSEMount
        let source = requestSource
        do {
            mount = try await offThread { () throws(FUSEError) -> FUSEMount in
                try FUSEMount(fileSystem: fileSystem, at: path, options: options, logger: logger, requestSource: source)
            }
        } catch {
            throw MountUnavailable(reason: error)
        }
        fileSystem.attach(mount.notifier)
        // Router events reach the mount on its own serial queue, not on the thread that made
        // them (the event loop): a leave costs the mount tens of µs (the `events` line, cache
        // invalidations, the network entries), and 10,000 sessions closing at once kept every
        // other client waiting 0.4 s for them (make soak --measure-close). They come in
        // batches, so what the mount asks of the hub it asks once per batch (EventInbox).
        let events = EventInbox(label: "cube-mount-events") { fileSystem.observe(contentsOf: $0) }
        hub.update { $0.observers["mount"] = { event in events.post(event) } }
        logger.info("network mounted", metadata: ["path": "\(path)"])
        // Unbuffered, so scripts waiting for this line see it at once.
        let line = Array("network mounted at \(path)\n".utf8)
        _ = line.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }

        try? await gracefulShutdown()

        hub.update { $0.observers["mount"] = nil }
        events.flush()
        fileSystem.shutdown()
        try? await offThread { () throws(FUSEError) in mount.unmount() }
        logger.info("network unmounted", metadata: ["path": "\(path)"])
    }
}

/// Runs blocking work on a fresh thread and awaits its result.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws(FUSEError) -> T) async throws(FUSEError) -> T {
    let result: Result<T, FUSEError> = await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: Result { () throws(FUSEError) in try work() }) }
        thread.start()
    }
    return try result.get()
}
