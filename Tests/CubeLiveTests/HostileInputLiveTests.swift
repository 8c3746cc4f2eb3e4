import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Bad input gets a defined reply and leaves the cube serving everyone else.
@Suite(.serialized) struct HostileInputLiveTests {
    @Test func garbageNulAndInvalidUTF8AreAnsweredAndTheSessionStays() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send([0x00, 0x01, 0xFF, 0xFE, 0x0A])
        #expect(client.read(until: "\n") == "FALSE protocol mismatch\n")
        client.send([0x68, 0x65, 0x61, 0x72, 0x74, 0x20, 0xFF, 0xFE, 0x0A])
        #expect(client.read(until: "\n") == "TRUE beating\n")
        client.send("!@#$%^&*\n")
        #expect(client.read(until: "\n") == "FALSE protocol mismatch\n")
        client.send("(7)heart\n")
        #expect(client.read(until: "\n") == "(7)TRUE beating\n")
        cube.stop()
    }

    @Test func aTenMebibyteLineIsRefusedAndTheSessionContinues() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send([UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20) + [0x0A])
        #expect(client.read(until: "\n", timeout: 20) == "FALSE line too long\n")
        client.send("(8)heart\n")
        #expect(client.read(until: "\n") == "(8)TRUE beating\n")
        cube.stop()
    }

    @Test func linesTrickledOneByteAtATimeAreAnsweredOnce() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        _ = client.read(count: 32)
        for byte in Array("select unix\nauth unix-root\n(9)whoami\n".utf8) {
            client.send([byte])
            usleep(1_000)
        }
        let reply = client.read(until: "TRUE continue\nAUTH_TRUE =)\n") + client.read(until: "\n")
        #expect(reply.hasPrefix("TRUE continue\nAUTH_TRUE =)\n(9)TRUE unix-root "))
        cube.stop()
    }

    @Test func aClientThatNeverReadsIsDisconnectedWithBoundedMemory() throws {
        let cube = try CubeProcess(extraConfiguration: "limits.output-queue = 65536")
        let sluggard = try RawSocket(path: cube.socketPath)
        #expect(sluggard.loginUnix())
        var size: Int32 = 4096
        setsockopt(sluggard.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let other = try RawSocket(path: cube.socketPath)
        #expect(other.loginUnix())
        // 40 MB of commands whose replies (list tables) the client never reads.
        let burst = Array(String(repeating: "list sessions\n", count: 4096).utf8)
        var sent = 0
        var flags = fcntl(sluggard.descriptor, F_GETFL)
        flags |= O_NONBLOCK
        _ = fcntl(sluggard.descriptor, F_SETFL, flags)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let written = burst.withUnsafeBytes { send(sluggard.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno != EAGAIN { break }
            if written > 0 { sent += written }
            if written < 0 { usleep(2_000) }
            if sent > 40 << 20 { break }
        }
        #expect(sent < 40 << 20, "the cube kept accepting input from a peer that never reads")
        other.send("(3)heart\n")
        #expect(other.read(until: "\n") == "(3)TRUE beating\n")
        #expect(Self.residentKiB(of: cube.process.processIdentifier) < 200_000)
        cube.stop()
    }

    @Test func aWrongPasswordOrUnknownUserClosesTheSession() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        _ = client.read(count: 32)
        client.send("select unix\nauth nobody-here\n")
        #expect(client.read(until: "|\n") == "TRUE continue\nAUTH_ERROR `>:|\n")
        #expect(client.isClosedByPeer())
        cube.stop()
    }

    static func residentKiB(of pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ")[1]) ?? 0
        }
        return 0
    }
}
