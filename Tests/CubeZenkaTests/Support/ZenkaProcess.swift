import CubeTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A sample zenka (`zenka <subcommand>`) started as the manager would: with
/// `PROTOCOL_7_UNIX_PATH`, `PROTOCOL_7_ZENKA_NAME` and a fresh `PROTOCOL_7_ZENKA_KEY`.
final class ZenkaProcess: @unchecked Sendable {
    let process = Process()
    private let errors = Pipe()

    init(_ arguments: [String], name: String, cube: CubeProcess) throws {
        let key = try cube.registerKey(for: name)
        process.executableURL = URL(fileURLWithPath: Binaries.zenka)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PROTOCOL_7_UNIX_PATH"] = cube.socketPath
        environment["PROTOCOL_7_ZENKA_NAME"] = name
        environment["PROTOCOL_7_ZENKA_KEY"] = key
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
    }

    /// Waits until the cube reports `name` present.
    func waitUntilPresent(_ name: String, client: TestClient) async throws {
        let present = try await eventually { try await client.final("present \(name)").hasPrefix("TRUE") }
        guard present else {
            stop()
            throw ZenkaTestError.failed("\(name) never connected: \(standardError())")
        }
    }

    /// Everything the zenka wrote to stderr; call only after ``stop()`` (it reads to end of file).
    func standardError() -> String {
        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    deinit { process.killIfRunning() }
}
