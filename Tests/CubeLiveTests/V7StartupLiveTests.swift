import CubeTestSupport
import Foundation
import Testing

/// A cube started the way the original's v7 manager starts one (docs/protocol.md §12): the key
/// on stdin, the start-up line on stdout, then v7 logs in with it and sets itself up, as in the
/// original's transcript T6.
@Suite(.serialized) struct V7StartupLiveTests {
    @Test func anOriginalV7CanStartTheCubeAndLogIn() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cube-v7-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("cube.conf")
        try (CubeProfile.live.baseConfiguration + "\naccess.cmd.usr.v7 = **\n").write(to: config, atomically: true, encoding: .utf8)
        let socket = directory.appendingPathComponent("cube.sock").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.cube)
        process.arguments = ["run", "--config", config.path, "--socket", socket, "--log-level", "warning", "--v7-stdin"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.killIfRunning() }
        let key = "nxaZ4zDubs8q3mwFEAd2LWKLkZakMyNnjDJAthLWz"
        input.fileHandleForWriting.write(Data("[base.auth.set_v7_key:'\(key)']\n".utf8))
        try input.fileHandleForWriting.close()
        // v7 connects once this line is on the cube's stdout.
        var printed = ""
        let deadline = Date().addingTimeInterval(10)
        while !printed.contains("switched to unix user"), Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed += String(decoding: chunk, as: UTF8.self)
        }
        #expect(printed.hasSuffix(". testcube.cube . switched to unix user 'root'.,\n"), "\(printed)")

        let v7 = try RawSocket(path: socket)
        #expect(String(decoding: v7.read(count: 32), as: UTF8.self) == OriginalWire.banner)
        v7.send("select zenka\n")
        #expect(v7.readLine() == "TRUE continue\n")
        v7.send("v7 \(key)\n")
        #expect(v7.readLine() == "AUTH_TRUE =)\n")
        v7.send("(5449043)whoami\n")
        #expect(v7.readLine().wholeMatch(of: /\(5449043\)TRUE v7 \d{7}\n/) != nil)
        v7.send("(70)set-initialized 0\n")
        #expect(v7.readLine() == "(70)TRUE initialized\n")
        v7.send("(71)session-key calc CALCKEY0123456789abcdefghijklmnopqrstuvwxyzAB\n")
        #expect(v7.readLine() == "(71)TRUE key added\n")
        v7.send("(72)heart notime\n")
        #expect(v7.readLine() == "(72)TRUE beating\n")
        // The key was used once: a second login with it fails.
        let again = try RawSocket(path: socket)
        _ = again.read(count: 32)
        again.send("select zenka\nv7 \(key)\n")
        #expect(again.read(until: "\n") == "TRUE continue\n")
        #expect(again.read(until: "\n") == "AUTH_ERROR `>:|\n")
        v7.close()
        process.stop(signal: SIGTERM, seconds: 5)
    }
}
