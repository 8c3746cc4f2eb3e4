import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real `cube run` process on a temporary socket, stopped with SIGTERM when done. Its
/// temporary directory is removed and the process killed (if still running) on deinit.
public final class CubeProcess: @unchecked Sendable {
    /// The temporary directory holding `cube.conf` (and the socket unless one was given).
    public let directory: URL
    /// The unix socket the cube serves on.
    public let socketPath: String
    /// The running `cube` process.
    public let process = Process()
    private let errors = Pipe()

    /// Starts a cube with `profile`'s configuration plus `extraConfiguration` and waits (10 s at
    /// most) until it serves on `socketPath` (default: `cube.sock` in its temporary directory).
    /// - Parameters:
    ///   - arguments: extra arguments after `cube run --config … --socket … --log-level warning`.
    ///   - openFiles: the cube's open-file limit, soft and hard (through `sh`'s `ulimit -n`);
    ///     nil: this process's.
    /// - Throws: ``LiveTestError`` when the cube exits or does not serve in time.
    public init(
        profile: CubeProfile = .live, extraConfiguration: String = "", socketPath: String? = nil, arguments: [String] = [],
        openFiles: Int? = nil
    ) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("\(profile.directoryPrefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.socketPath = socketPath ?? directory.appendingPathComponent("cube.sock").path
        let config = directory.appendingPathComponent("cube.conf")
        try (profile.baseConfiguration + "\n" + extraConfiguration + "\n").write(to: config, atomically: true, encoding: .utf8)
        let run = ["run", "--config", config.path, "--socket", self.socketPath, "--log-level", "warning"] + arguments
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", Binaries.cube] + run
        } else {
            process.executableURL = URL(fileURLWithPath: Binaries.cube)
            process.arguments = run
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        switch CubeServing.wait(socketPath: self.socketPath, process: process) {
        case .serving: return
        case .exited: throw LiveTestError.cubeExited(standardError())
        case .timedOut: throw LiveTestError.timeout("cube did not create \(self.socketPath)")
        }
    }

    /// Sends `signal` and waits for the process to end (at most `seconds`); SIGKILL after that.
    /// - Returns: the termination status, or -1 when it had to be killed.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, seconds: Double = 5) -> Int32 {
        process.stop(signal: signal, seconds: seconds)
    }

    /// What the cube has written to stderr and is available now (does not block).
    public func standardError() -> String {
        String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
    }

    deinit {
        process.killIfRunning()
        try? FileManager.default.removeItem(at: directory)
    }
}
