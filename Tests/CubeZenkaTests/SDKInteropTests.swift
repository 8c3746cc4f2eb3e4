import CubeClient
import CubeTestSupport
import CubeZenka
import Foundation
import Testing

/// The SDK against a server that behaves as the original cube does (``OriginalCube``): ids of
/// 2–15 digits, bodies counted in characters both ways, STRM not relayed (docs/protocol.md §11).
@Suite(.serialized) struct SDKInteropTests {
    @Test func servesAndSendsThroughAnOriginalCube() async throws {
        let original = try OriginalCube()
        let calc = try OriginalZenka(name: "calc", key: "k", path: original.socketPath)
        let zenka = Zenka(settings: ZenkaSettings(socketPath: original.socketPath, name: "swift", key: "any"))
        zenka.command("umlauts", help: "umlauts: a non-ASCII SIZE body") { _ in .size(text: OriginalZenka.utf8Body) }
        let task = try await SDKLiveTests.start(zenka)

        // Our commands reach the original (an id it accepts) and its replies come back.
        let heart = try await zenka.send("calc.heart")
        #expect(heart.keyword == .trueReply && heart.textString.hasPrefix("beating [ "), "\(heart.textString)")
        let body = try await zenka.send("calc.utf8")
        #expect(body.keyword == .size && body.body == Array(OriginalZenka.utf8Body.utf8))
        let streamed = try await zenka.send("calc.stream")
        #expect(streamed.keyword == .trueReply && streamed.textString == "end-of-stream")

        // Our SIZE reply is counted in characters, so an original-style client reads it intact.
        let client = try RawSocket(path: original.socketPath)
        #expect(client.loginUnix())
        client.send("(24)swift.umlauts\n")
        #expect(client.readLine() == "(24)SIZE 0005\n")
        #expect(client.read(count: 8) == Array(OriginalZenka.utf8Body.utf8))
        client.send("(25)heart\n")
        #expect(client.readLine() == "(25)TRUE beating\n")

        #expect(original.errorsSent.isEmpty, "\(original.errorsSent)")
        #expect(calc.received.isEmpty, "\(calc.received)")
        zenka.stop()
        try await task.value
        calc.stop()
        original.stop()
    }

    @Test func countsBytesOnOurCube() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let zenka = Zenka(settings: ZenkaSettings(socketPath: cube.socketPath, name: "swift", key: try cube.registerKey(for: "swift")))
        zenka.command("binary", help: "binary: a character and a byte that is no UTF-8") { _ in .size([0xC3, 0xA4, 0xFF, 0x0A]) }
        let task = try await SDKLiveTests.start(zenka)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix("unix-" + UnixUserName.current))
        client.send("(10)size-unit bytes\n(24)swift.binary\n")
        #expect(client.readLine() == "(10)TRUE size unit bytes\n")
        #expect(client.read(count: 18) == Array("(24)SIZE 0004\n".utf8) + [0xC3, 0xA4, 0xFF, 0x0A])
        zenka.stop()
        try await task.value
        cube.stop()
    }
}
