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

    /// Descriptors the process `pid` has open.
    private static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// A peer that ends its input and never reads: its session ends at once, and its socket,
    /// which no longer counts against `limits.sessions`, is closed once the peer has taken none
    /// of the output left for 10 s (before: kept for ever, found by a hostile second reader).
    @Test func aPeerThatEndsItsInputAndNeverReadsIsClosedOnceItsOutputStalls() throws {
        let cube = try CubeProcess()
        let pid = cube.process.processIdentifier
        let probe = try RawSocket(path: cube.socketPath)
        #expect(probe.loginUnix())
        let baseline = Self.openDescriptors(pid)
        var clients: [RawSocket] = []
        for _ in 0..<10 {
            let client = try RawSocket(path: cube.socketPath)
            var size: Int32 = 4096
            setsockopt(client.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            #expect(client.loginUnix())
            // About 1 MB of replies, far more than the socket buffers hold.
            client.send(String(repeating: "stats\n", count: 3000))
            shutdown(client.descriptor, Int32(SHUT_WR))
            clients.append(client)
        }
        var held = 0
        var deadline = Date().addingTimeInterval(5)
        while Date() < deadline, held < baseline + 10 {
            held = Self.openDescriptors(pid)
            usleep(100_000)
        }
        #expect(held >= baseline + 10, "the sockets were not held while output waited: \(baseline) -> \(held)")
        // Their sessions ended once served: only the probe is listed.
        var listing = ""
        for _ in 0..<50 {
            probe.send("list sessions\n")
            listing = String(decoding: probe.drain(quiet: 0.2), as: UTF8.self)
            if listing.split(separator: "\n").filter({ $0.contains("unix-root") }).count == 1 { break }
        }
        #expect(listing.split(separator: "\n").filter { $0.contains("unix-root") }.count == 1, "\(listing)")
        deadline = Date().addingTimeInterval(30)
        var now = held
        while Date() < deadline, now > baseline {
            usleep(250_000)
            now = Self.openDescriptors(pid)
        }
        #expect(now <= baseline, "the stalled sockets were kept: \(now) descriptors, \(baseline) before")
        // The other session was served throughout.
        probe.send("(5)heart\n")
        #expect(probe.readLine() == "(5)TRUE beating\n")
        cube.stop()
    }
}
