import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The `cube run` process itself: start-up, the socket file, signals.
@Suite(.serialized) struct CubeProcessTests {
    @Test func sendsTheExactBannerAndRemovesItsSocketOnSigterm() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.read(count: 32) == Array(#"\\PROTOCOL-7-VERSION\\NZXZDSA\\"#.utf8) + [0x0A])
        #expect(client.loginUnixAfterBanner())
        #expect(cube.stop() == 0)
        #expect(client.read(until: "\n") == "!TERM! cube shutdown\n")
        #expect(client.isClosedByPeer())
        #expect(!FileManager.default.fileExists(atPath: cube.socketPath))
    }

    /// A cube allowed fewer open files than `limits.sessions` needs caps its sessions and says
    /// so: the connections past the cap get `!TERM! too many sessions`, and every one below it
    /// logs in. Before, the cube ran out of descriptors instead: connections past the limit got
    /// no banner, and logins near it were refused because the user database could not be read
    /// (and counted as failures, locking the uid out). docs/security.md "Logins when the machine
    /// runs short".
    @Test func capsItsSessionsToItsOpenFileLimit() throws {
        let cube = try CubeProcess(openFiles: 300)
        var clients: [RawSocket] = []
        defer { for client in clients { client.close() } }
        var (loggedIn, turnedAway, other) = (0, 0, [String]())
        for _ in 0..<330 {
            let client = try RawSocket(path: cube.socketPath)
            clients.append(client)
            let first = client.readLine(timeout: 3)
            if first == #"\\PROTOCOL-7-VERSION\\NZXZDSA\\"# + "\n" {
                guard client.loginUnixAfterBanner() else {
                    other.append("login refused")
                    break
                }
                loggedIn += 1
            } else if first == "!TERM! too many sessions\n" {
                turnedAway += 1
            } else {
                // No banner and no notice: the cube is out of descriptors. Stop here rather than
                // queue more connections behind it.
                other.append(first)
                break
            }
        }
        // 300 descriptors leave 150 sessions (DescriptorLimit.sessions).
        #expect(loggedIn == 150)
        #expect(turnedAway == 180)
        #expect(other.isEmpty, "\(other.prefix(5))")
        // Room again once some leave, and nobody was throttled on the way.
        for client in clients.prefix(10) { client.close() }
        Thread.sleep(forTimeInterval: 0.3)
        let late = try RawSocket(path: cube.socketPath)
        defer { late.close() }
        #expect(late.loginUnix())
        // Read once the cube has ended: reading its stderr blocks while it runs and is silent.
        cube.stop()
        #expect(cube.standardError().contains("at most 150 sessions"))
    }

    @Test func startsServingWithinASecond() throws {
        let start = Date()
        let cube = try CubeProcess()
        #expect(Date().timeIntervalSince(start) < 1.0)
        cube.stop()
    }

    @Test func refusesToStartWhenALiveCubeAnswersOnTheSocket() throws {
        let cube = try CubeProcess()
        let second = Process()
        second.executableURL = URL(fileURLWithPath: Binaries.cube)
        second.arguments = ["run", "--socket", cube.socketPath]
        let errors = Pipe()
        second.standardError = errors
        second.standardOutput = Pipe()
        try second.run()
        second.waitUntilExit()
        #expect(second.terminationStatus != 0)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("a cube is already serving on \(cube.socketPath)"))
        #expect(FileManager.default.fileExists(atPath: cube.socketPath))
        cube.stop()
    }

    @Test func replacesAStaleSocketFile() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("stale-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("cube.sock").path
        // A socket file nobody listens on, as a killed cube leaves behind.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let cube = try CubeProcess(socketPath: path)
        let client = try RawSocket(path: path)
        #expect(client.loginUnix())
        #expect(cube.stop() == 0)
    }

    @Test func reportsAMalformedConfigurationWithFileAndLine() throws {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("badconf-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.conf")
        try "node.name = x\nthis line is wrong\n".write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.cube)
        process.arguments = ["run", "--config", file.path, "--socket", directory.appendingPathComponent("s.sock").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("\(file.path):2: expected 'key = value'"))
    }
}

extension RawSocket {
    /// Logs in after the banner has already been read.
    func loginUnixAfterBanner(_ user: String = "unix-root") -> Bool {
        send("select unix\nauth \(user)\n")
        return read(until: "AUTH_TRUE =)\n") == "TRUE continue\nAUTH_TRUE =)\n"
    }
}
