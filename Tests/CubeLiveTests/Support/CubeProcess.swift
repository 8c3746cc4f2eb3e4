import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `cube run` process on a temporary socket, stopped with SIGTERM when done.
final class CubeProcess: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()

    /// Starts a cube with the test configuration plus `extraConfiguration` and waits until it serves.
    init(extraConfiguration: String = "", socketPath: String? = nil, arguments: [String] = []) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-live-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.socketPath = socketPath ?? directory.appendingPathComponent("cube.sock").path
        let config = directory.appendingPathComponent("cube.conf")
        try (Self.baseConfiguration + "\n" + extraConfiguration + "\n").write(to: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Binaries.cube)
        process.arguments = ["run", "--config", config.path, "--socket", self.socketPath, "--log-level", "warning"] + arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        try waitUntilServing()
    }

    static let baseConfiguration = """
        node.name = testcube
        auth.setup.usr.taeki = :unix:root
        access.cmd.usr.unix-root = **
        access.cmd.usr.taeki = **
        access.cmd.usr.* = heart whoami name commands list present ptl-ver exit close *.heart
        """

    private func waitUntilServing() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let probe = try? RawSocket(path: socketPath), probe.read(count: 32, timeout: 1).count == 32 { return }
            if !process.isRunning { throw LiveTestError.cubeExited(standardError()) }
            usleep(10_000)
        }
        throw LiveTestError.timeout("cube did not create \(socketPath)")
    }

    /// Sends `signal` and waits for the process to end (at most `seconds`).
    @discardableResult
    func stop(signal: Int32 = SIGTERM, seconds: Double = 5) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return -1
        }
        return process.terminationStatus
    }

    func standardError() -> String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

enum LiveTestError: Error, CustomStringConvertible {
    case cubeExited(String)
    case timeout(String)

    var description: String {
        switch self {
        case .cubeExited(let errors): "cube exited: \(errors)"
        case .timeout(let what): "timeout: \(what)"
        }
    }
}
