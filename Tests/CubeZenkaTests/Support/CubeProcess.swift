import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `cube run` process on a temporary socket, stopped with SIGTERM when done
/// (adapted from CubeLiveTests; test targets do not import each other).
final class CubeProcess: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let process = Process()
    private let errors = Pipe()

    /// Starts a cube with the test configuration plus `extraConfiguration` and waits until it serves.
    init(extraConfiguration: String = "", socketPath: String? = nil) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-zenka-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.socketPath = socketPath ?? directory.appendingPathComponent("cube.sock").path
        let config = directory.appendingPathComponent("cube.conf")
        try (Self.baseConfiguration + "\n" + extraConfiguration + "\n").write(to: config, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Binaries.cube)
        process.arguments = ["run", "--config", config.path, "--socket", self.socketPath, "--log-level", "warning"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        try waitUntilServing()
    }

    static let baseConfiguration = """
        node.name = testcube
        mount.path =
        access.cmd.usr.unix-root = **
        access.cmd.usr.unix-<owner> = **
        access.cmd.usr.caller = **
        access.cmd.usr.* = heart whoami name commands list present ptl-ver exit close *.heart
        """

    private func waitUntilServing() throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let probe = try? RawSocket(path: socketPath), probe.read(count: 32, timeout: 1).count == 32 { return }
            if !process.isRunning { throw ZenkaTestError.failed("cube exited: \(standardError())") }
            usleep(10_000)
        }
        throw ZenkaTestError.failed("cube did not create \(socketPath)")
    }

    /// Sends SIGTERM and waits for the process to end (SIGKILL after `seconds`).
    func stop(seconds: Double = 5) {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func standardError() -> String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }

    /// Registers a one-time key for `name` over an admin connection and returns it.
    func registerKey(for name: String) throws -> String {
        let admin = try RawSocket(path: socketPath)
        defer { admin.close() }
        guard admin.loginUnix("unix-" + UnixUserName.current) else { throw ZenkaTestError.failed("admin login") }
        let key = "key\(UInt64.random(in: 0...UInt64.max))"
        admin.send("(1)session-key \(name) \(key)\n")
        let answer = admin.read(until: "\n")
        guard answer == "(1)TRUE key added\n" else { throw ZenkaTestError.failed("session-key: \(answer)") }
        return key
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A failure of the test scaffolding.
enum ZenkaTestError: Error, CustomStringConvertible {
    case failed(String)

    var description: String {
        switch self {
        case .failed(let what): what
        }
    }
}

/// The unix user running the tests.
enum UnixUserName {
    static var current: String {
        guard let entry = getpwuid(getuid()), let name = entry.pointee.pw_name else { return "root" }
        return String(cString: name)
    }
}
