import CubeTestSupport
import Foundation
import Testing

/// docs/protocol.md §11 "Interoperating with the original": our `p7` against our cube and
/// against a server that behaves as the original cube does (``OriginalCube``), and our cube
/// against zenki and clients that behave as the original's do (``OriginalZenka``, raw sockets).
@Suite(.serialized) struct InteropLiveTests {
    /// Reads `count` characters the original's way (decoded UTF-8), byte by byte so nothing
    /// behind them is consumed.
    private static func readCharacters(_ count: Int, from socket: RawSocket) -> [UInt8] {
        var body: [UInt8] = []
        while OriginalWire.prefixLength(of: count, characters: body) == nil {
            let byte = socket.read(count: 1)
            if byte.isEmpty { break }
            body += byte
        }
        return body
    }

    @Test func p7PrintsTheSameAndExitsTheSameAgainstOurCubeAndAnOriginalOne() throws {
        let ours = try CubeProcess()
        let ourCalc = try OriginalZenka(name: "calc", cube: ours)
        let original = try OriginalCube()
        let theirCalc = try OriginalZenka(name: "calc", key: "CALCKEY0123456789", path: original.socketPath)
        var outcomes: [String: [String: ExecutableRun]] = [:]
        for (cube, socket) in [("ours", ours.socketPath), ("original", original.socketPath)] {
            for command in ["heart", "whoami", "list sessions", "calc.heart", "calc.utf8", "calc.stream", "nosuch.heart"] {
                let words = command.split(separator: " ").map(String.init)
                outcomes[command, default: [:]][cube] = try ExecutableRun.run(Binaries.p7, ["--socket", socket] + words)
            }
        }
        func both(_ command: String) -> [ExecutableRun] { ["ours", "original"].compactMap { outcomes[command]?[$0] } }
        // Byte for byte the same output and exit code from both cubes.
        for (command, stdout, status) in [("heart", "beating\n", Int32(0)), ("calc.utf8", OriginalZenka.utf8Body, 0),
                                          ("calc.stream", "end-of-stream\n", 0), ("nosuch.heart", "client not present\n", 1)] {
            for run in both(command) {
                #expect(run.stdout == stdout, "\(command): \(run.stdout) \(run.stderr)")
                #expect(run.status == status, "\(command)")
            }
        }
        // The same shape where the cubes' own values differ (session ids, latency, table layout).
        for run in both("whoami") {
            #expect(run.status == 0)
            #expect(run.stdout.wholeMatch(of: /unix-root \d{7}\n/) != nil, "\(run.stdout)")
        }
        for run in both("calc.heart") {
            #expect(run.status == 0)
            #expect(run.stdout.wholeMatch(of: /beating \[ \d+\.\d{5} secs \]\n/) != nil, "\(run.stdout)")
        }
        for run in both("list sessions") {
            #expect(run.status == 0)
            #expect(run.stdout.contains("unix-root") && run.stdout.contains("calc"), "\(run.stdout)")
        }
        // The original refused no id of ours, and nobody was told `protocol mismatch`.
        #expect(original.errorsSent.isEmpty, "\(original.errorsSent)")
        #expect(ourCalc.received.isEmpty && theirCalc.received.isEmpty, "\(ourCalc.received) \(theirCalc.received)")
        ourCalc.stop()
        theirCalc.stop()
        original.stop()
        ours.stop()
    }

    /// The stand-in is strict where the original is: without that the test above proves nothing.
    @Test func theOriginalStandInRefusesOneDigitIdsAndCountsCharacters() throws {
        let original = try OriginalCube()
        let calc = try OriginalZenka(name: "calc", key: "k", path: original.socketPath)
        let client = try RawSocket(path: original.socketPath)
        #expect(client.loginUnix())
        client.send("(7)heart\n")
        #expect(client.readLine() == "FALSE invalid command id syntax or length\n")
        client.send("(24)calc.utf8\n")
        #expect(client.readLine() == "(24)SIZE 0005\n")
        #expect(Self.readCharacters(5, from: client) == Array(OriginalZenka.utf8Body.utf8))
        client.send("(25)calc.stream\n")
        #expect(client.readLine() == "(25)TRUE end-of-stream\n")
        calc.stop()
        original.stop()
    }

    @Test func aCharacterCountedBodyReachesAnOriginalStyleClientAndABytesClientIntact() throws {
        let cube = try CubeProcess()
        let calc = try OriginalZenka(name: "calc", cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        // Counted the original's way: 5 characters, and the next reply is intact.
        client.send("(24)calc.utf8\n")
        #expect(client.readLine() == "(24)SIZE 0005\n")
        #expect(Self.readCharacters(5, from: client) == Array(OriginalZenka.utf8Body.utf8))
        client.send("(25)heart\n")
        #expect(client.readLine() == "(25)TRUE beating\n")
        // After `size-unit bytes` the same body comes with its byte count.
        client.send("(10)size-unit bytes\n(26)calc.utf8\n")
        #expect(client.readLine() == "(10)TRUE size unit bytes\n")
        #expect(client.read(count: 22) == Array("(26)SIZE 0008\n".utf8) + Array(OriginalZenka.utf8Body.utf8))
        // The original's stream announcement is not relayed; the final reply is.
        client.send("(27)calc.stream\n")
        #expect(client.readLine() == "(27)TRUE end-of-stream\n")
        client.send("(28)heart\n")
        #expect(client.readLine() == "(28)TRUE beating\n")
        #expect(calc.received.isEmpty, "\(calc.received)")
        calc.stop()
        cube.stop()
    }
}
