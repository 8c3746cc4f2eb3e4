@testable import CubeMount
import CubeFUSE
import Foundation
import Testing

/// A file stays `fstat`-able while open, after its session is gone: its content stays fixed
/// for that open (docs/filesystem.md "Text files"). A hostile tester found `cat <&5` of an
/// open `sessions/<sid>/info` failing with `ENOENT` once the session had ended (`cat` stats
/// its input first).
@Suite(.serialized, .enabled(if: FUSEEnvironment.isAvailable && getuid() == 0, "needs /dev/fuse, fusermount3 and root"))
struct OpenFileStatTests {
    @Test func anOpenInfoOfAnEndedSessionStaysReadable() throws {
        try withMountedHub { hub, _, path in
            let session = hub.connectLocal(Sink(), user: "gone", transport: .local("test"))
            let flags = NSTemporaryDirectory() + "cube-stat-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: flags, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: flags) }
            // Opens the file, waits for the session to end and for the kernel's cached
            // attributes (1 s) to expire, then reads through the descriptor.
            let reader = Process()
            reader.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            reader.arguments = ["-s", "KILL", "10", "/bin/sh", "-c", """
                exec 5<\(path)/sessions/\(session)/info && touch \(flags)/opened
                while [ ! -e \(flags)/ended ]; do sleep 0.05; done
                sleep 1.3
                cat <&5
                """]
            let output = Pipe()
            reader.standardOutput = output
            reader.standardError = output
            try reader.run()
            // Ends the reader on every path, also when the wait below gives up.
            defer { if reader.isRunning { reader.terminate() } }
            let deadline = Date().addingTimeInterval(5)
            while !FileManager.default.fileExists(atPath: flags + "/opened"), reader.isRunning, Date() < deadline {
                usleep(20_000)
            }
            hub.disconnected(session)
            _ = FileManager.default.createFile(atPath: flags + "/ended", contents: nil)
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            reader.waitUntilExit()
            #expect(reader.terminationStatus == 0, "\(text)")
            #expect(text.hasPrefix("sid: \(session)\nuser: gone\n"), "\(text)")
        }
    }
}
