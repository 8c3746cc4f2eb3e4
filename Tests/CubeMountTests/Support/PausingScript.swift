import Foundation
import Testing

/// Runs `script` with `/bin/sh` under `timeout -s KILL 10`, `$1` a fresh directory. Once the
/// script has created `$1/paused` (or ended, or 5 s passed), `body` runs in the test process;
/// then `$1/resume` is created for the script to go on. The script is ended on every path.
/// - Returns: its exit status and its output (stdout and stderr).
func runPausing(_ script: String, during body: () throws -> Void) throws -> (status: Int32, output: String) {
    let flags = NSTemporaryDirectory() + "cube-pause-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: flags, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: flags) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = ["-s", "KILL", "10", "/bin/sh", "-c", script, "sh", flags]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    defer { if process.isRunning { process.terminate() } }
    let deadline = Date().addingTimeInterval(5)
    while !FileManager.default.fileExists(atPath: flags + "/paused"), process.isRunning, Date() < deadline {
        usleep(20_000)
    }
    try body()
    _ = FileManager.default.createFile(atPath: flags + "/resume", contents: nil)
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// Shell lines that mark the script paused and wait for ``runPausing(_:during:)``'s body.
let pauseInScript = "touch \"$1/paused\"; while [ ! -e \"$1/resume\" ]; do sleep 0.05; done"
