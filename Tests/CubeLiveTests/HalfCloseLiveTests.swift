import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A client that shuts down its side for writing right after its request (`shutdown(SHUT_WR)`,
/// `nc -N`, `socat` at the end of its input) gets every reply, then the end of the stream
/// (docs/protocol.md §7, "The end of input"). Before, the replies to the last read were lost:
/// the channel closed at the end of input, before the end of the loop's turn flushed them.
@Suite(.serialized) struct HalfCloseLiveTests {
    /// Everything the cube sends until it closes the connection (10 s at most).
    private static func untilClosed(_ socket: RawSocket) -> (bytes: String, closed: Bool) {
        var bytes: [UInt8] = []
        let closed = socket.isClosedByPeer(timeout: 10, before: &bytes)
        return (String(decoding: bytes, as: UTF8.self), closed)
    }

    @Test func aLoginAndALocalCommandFollowedByTheEndOfInputAreAnswered() throws {
        let cube = try CubeProcess()
        // The defect lost these replies in 20 tries of 20.
        for attempt in 1...20 {
            let client = try RawSocket(path: cube.socketPath)
            client.send("select unix\nauth unix-root\n(\(attempt))whoami\n")
            shutdown(client.descriptor, Int32(SHUT_WR))
            let (bytes, closed) = Self.untilClosed(client)
            #expect(bytes.hasPrefix("\\\\PROTOCOL-7-VERSION\\\\NZXZDSA\\\\\nTRUE continue\nAUTH_TRUE =)\n(\(attempt))TRUE unix-root "),
                    "attempt \(attempt): \(bytes.debugDescription)")
            #expect(bytes.hasSuffix("\n"))
            #expect(closed, "attempt \(attempt): the cube kept the connection open")
        }
        cube.stop()
    }

    @Test func aPipelinedBurstFollowedByTheEndOfInputGetsEveryReply() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send((1...64).map { "(\($0))heart\n" }.joined())
        shutdown(client.descriptor, Int32(SHUT_WR))
        let (bytes, closed) = Self.untilClosed(client)
        #expect(bytes == (1...64).map { "(\($0))TRUE beating\n" }.joined())
        #expect(closed)
        cube.stop()
    }

    @Test func aRoutedCommandIsAnsweredAfterTheEndOfInputAndThenTheSessionCloses() throws {
        let cube = try CubeProcess()
        let responder = try RawSocket(path: cube.socketPath)
        #expect(responder.loginUnix())
        responder.send("whoami\n")
        let whoami = responder.readLine()
        let id = try #require(whoami.split(separator: " ").last.map { $0.trimmingCharacters(in: .newlines) })
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("whoami\n")
        let clientID = try #require(client.readLine().split(separator: " ").last.map { $0.trimmingCharacters(in: .newlines) })
        client.send("(7)\(id).ping\n")
        shutdown(client.descriptor, Int32(SHUT_WR))
        let routed = responder.readLine()
        #expect(routed.hasSuffix(")ping\n"), "\(routed.debugDescription)")
        let routeID = routed.dropFirst().prefix { $0 != ")" }
        // The answer comes well after the client's end of input: the session waits for it.
        usleep(300_000)
        // Meanwhile the client answers nothing, so nothing is routed to it any more.
        responder.send("(8)\(clientID).whoami\n")
        #expect(responder.readLine() == "(8)FALSE client not present\n")
        responder.send("(\(routeID))TRUE pong\n")
        let (bytes, closed) = Self.untilClosed(client)
        #expect(bytes == "(7)TRUE pong\n")
        #expect(closed)
        responder.send("(9)heart\n")
        #expect(responder.readLine() == "(9)TRUE beating\n")
        cube.stop()
    }

    @Test func aListBeforeLoginOverTCPFollowedByTheEndOfInputIsAnswered() throws {
        let port = try FreePort.next()
        let cube = try CubeProcess(arguments: ["--listen", "tcp:127.0.0.1:\(port)"])
        var ready = false
        for _ in 0..<100 where !ready {
            if let probe = try? RawSocket(tcpPort: port), probe.read(count: 32, timeout: 1).count == 32 { ready = true } else { usleep(50_000) }
        }
        #expect(ready, "the cube did not listen on 127.0.0.1:\(port)")
        // The defect lost this reply in 17 tries of 20.
        for attempt in 1...20 {
            let client = try RawSocket(tcpPort: port)
            client.send("list\n")
            shutdown(client.descriptor, Int32(SHUT_WR))
            let (bytes, closed) = Self.untilClosed(client)
            #expect(bytes.hasPrefix("\\\\PROTOCOL-7-VERSION\\\\NZXZDSA\\\\\n"), "attempt \(attempt): \(bytes.debugDescription)")
            #expect(bytes.count > 32, "attempt \(attempt): no reply to list: \(bytes.debugDescription)")
            #expect(closed, "attempt \(attempt)")
        }
        cube.stop()
    }
}
