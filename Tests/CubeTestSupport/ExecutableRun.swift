import Foundation

/// One finished run of an executable: exit status and everything it wrote.
public struct ExecutableRun: Sendable {
    /// The termination status.
    public var status: Int32
    /// Everything written to stdout.
    public var output: [UInt8]
    /// Everything written to stderr, decoded as UTF-8.
    public var stderr: String

    /// ``output`` decoded as UTF-8.
    public var stdout: String { String(decoding: output, as: UTF8.self) }

    /// A run from its parts.
    public init(status: Int32, output: [UInt8], stderr: String) {
        self.status = status
        self.output = output
        self.stderr = stderr
    }

    /// Runs `executable` with `arguments` to its end. The environment is the test's, without
    /// `PROTOCOL_7_UNIX_PATH`, merged with `environment`. Both pipes are read to their end before
    /// waiting, so a large output cannot fill a pipe and block the child.
    /// - Throws: when the executable cannot be started.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> ExecutableRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PROTOCOL_7_UNIX_PATH")
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ExecutableRun(status: process.terminationStatus, output: Array(out), stderr: String(decoding: err, as: UTF8.self))
    }
}
