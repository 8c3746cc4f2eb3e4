import CubeCore
import CubeRuntime
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The `v7` session's door: typed commands for the manager and replies to its heart checks,
/// handed to the manager's queue.
final class ManagerEndpoint: DoorEndpoint {
    private weak let manager: Manager?

    init(manager: Manager) { self.manager = manager }

    func deliver(_ message: Message) -> DoorFollowUp? {
        manager?.received(message)
        return nil
    }

    func closed() -> DoorFollowUp? { nil }
}

/// A stdio zenka's endpoint: the router's bytes go to the process's stdin.
final class StdioEndpoint: SessionEndpoint {
    private let process: ChildProcess
    private let limit: Int
    private let logger: Logger
    private let name: String
    /// Set once the zenka was stopped for not reading (it is said once in the log).
    private let overflowed = Atomic<Bool>(false)

    init(process: ChildProcess, limit: Int, logger: Logger, name: String) {
        self.process = process
        self.limit = limit
        self.logger = logger
        self.name = name
    }

    func send(_ bytes: [UInt8]) {
        // A zenka that stops reading its stdin is stopped rather than buffered without bound.
        guard !process.write(bytes, limit: limit) else { return }
        if !overflowed.exchange(true, ordering: .relaxed) {
            logger.warning("zenka does not read its stdin: more than limits.output-queue waits, stopping it",
                           metadata: ["zenka": "\(name)", "pid": "\(process.pid)"])
        }
        process.signalGroup(SIGTERM)
    }

    func close() { process.closeInput() }
}

extension Manager {
    /// Bytes a stdio zenka wrote on stdout: its replies, passed to the router as its session.
    func stdioOutput(_ bytes: [UInt8], instance id: Int) {
        guard !bytes.isEmpty, let session = instances[id]?.session else { return }
        hub.received(bytes, from: session)
    }
}
