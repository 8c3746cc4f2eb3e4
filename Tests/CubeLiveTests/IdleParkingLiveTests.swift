import CubeClient
import CubeTestSupport
import Foundation
import Testing

/// Idle connections park (docs/performance.md "Idle memory"): with `socket.park-after = 1` a
/// quiet session gives up its channel within about two seconds and waits on its descriptor
/// alone. Input, output for it and its peer hanging up bring it back, with nothing lost or
/// reordered. Whether sessions are parked is read from the cube's `/proc/<pid>/fdinfo`: the
/// parked descriptors are the ones its epolls watch once (`EPOLLONESHOT`).
@Suite(.serialized) struct IdleParkingLiveTests {
    static let parkAfter = "socket.park-after = 1"

    @Test func parkedSessionsWakeForInputAndForOutputWithNothingLostOrReordered() throws {
        let cube = try CubeProcess(extraConfiguration: Self.parkAfter)
        let zenka = try TestZenka.login(name: "calc", cube: cube)
        var clients: [RawSocket] = []
        for number in 0..<40 {
            let client = try RawSocket(path: cube.socketPath)
            #expect(client.loginUnix(), "client \(number)")
            clients.append(client)
        }
        #expect(Self.waitParked(cube, atLeast: 41), "all sessions park")

        // Woken by input: every parked client gets its answer; one sends half a line first.
        clients[0].send("(1)he")
        #expect(Self.waitWokenAndParked(cube, count: 41), "the half line's session parks again")
        clients[0].send("art\n")
        #expect(clients[0].readLine() == "(1)TRUE beating\n")
        for (number, client) in clients.enumerated().dropFirst() {
            client.send("(1)heart\n")
            #expect(client.readLine() == "(1)TRUE beating\n", "client \(number)")
        }
        #expect(Self.waitParked(cube, atLeast: 41))

        // Woken by output: 100 pipelined commands routed to the parked zenka arrive in order,
        // and its replies reach the client in order.
        clients[1].send((1...100).map { "(\($0))calc.echo n\($0)\n" }.joined())
        let routed = Self.lines(100, from: zenka)
        #expect(routed.map { $0.split(separator: " ").last.map(String.init) } == (1...100).map { "n\($0)" })
        zenka.send(routed.map { line in
            let tid = line[line.index(after: line.startIndex)..<(line.firstIndex(of: ")") ?? line.endIndex)]
            return "(\(tid))TRUE \(line.split(separator: " ").last ?? "")\n"
        }.joined())
        #expect(Self.lines(100, from: clients[1]) == (1...100).map { "(\($0))TRUE n\($0)" })

        // A reply to a parked client: the zenka answers only once the client has parked.
        clients[2].send("(7)calc.echo late\n")
        let late = Self.lines(1, from: zenka)
        #expect(Self.waitWokenAndParked(cube, count: 41), "the waiting client parks")
        let tid = late.first.map { $0[$0.index(after: $0.startIndex)..<($0.firstIndex(of: ")") ?? $0.endIndex)] } ?? ""
        zenka.send("(\(tid))TRUE late\n")
        #expect(clients[2].readLine() == "(7)TRUE late\n")

        // A notice to parked sessions: the shutdown's `!TERM!` reaches every one of them.
        #expect(Self.waitParked(cube, atLeast: 41))
        cube.stop()
        for (number, client) in clients.enumerated() {
            #expect(client.readLine() == "!TERM! cube shutdown\n", "client \(number)")
        }
    }

    @Test func aSessionThatClosesWhileParkedIsDisconnected() throws {
        let cube = try CubeProcess(extraConfiguration: Self.parkAfter)
        let zenka = try TestZenka.login(name: "calc", cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("(1)calc.heart\n")
        let heart = Self.lines(1, from: zenka)
        #expect(heart.count == 1 && heart.first?.hasSuffix("heart") == true)
        #expect(Self.waitParked(cube, atLeast: 2))
        let descriptors = Self.openDescriptors(cube)
        // The zenka hangs up while parked: the cube notices, its session ends, its descriptor closes.
        zenka.close()
        var answer = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            client.send("(2)calc.heart\n")
            answer = client.readLine()
            if answer == "(2)FALSE client not present\n" { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(answer == "(2)FALSE client not present\n")
        #expect(Self.openDescriptors(cube) == descriptors - 1)
        cube.stop()
    }

    @Test func encryptedTCPSessionsKeepTheirStreamsAcrossParking() throws {
        let fixture = try SecurityCube(extraConfiguration: Self.parkAfter)
        defer { fixture.stop() }
        let zenka = try TCPZenka(port: fixture.port, identity: fixture.zenka)
        defer { zenka.stop() }
        let client = try P7Connection(address: .tcp(host: "127.0.0.1", port: fixture.port), timeout: .seconds(10))
        _ = try client.loginC25519(identity: fixture.client, expectedServer: fixture.nodeKey)
        #expect(Self.waitParked(fixture.cube, atLeast: 2), "both encrypted sessions park")

        // The client's input wakes it, the commands routed to the parked zenka wake that one:
        // 50 pipelined commands and their replies, each sealed and opened in order.
        try client.sendRaw(Array((1...50).map { "(\($0))calc.echo n\($0)\n" }.joined().utf8))
        var replies: [String] = []
        for _ in 1...50 { replies.append(String(decoding: try client.readLine(), as: UTF8.self)) }
        #expect(replies == (1...50).map { "(\($0))TRUE zenka-says:\(String("n\($0)".reversed()))" })

        // Parked again, both streams go on where they were.
        #expect(Self.waitWokenAndParked(fixture.cube, count: 2))
        try client.send("(60)heart")
        #expect(String(decoding: try client.readLine(), as: UTF8.self) == "(60)TRUE beating")
        #expect(Self.waitWokenAndParked(fixture.cube, count: 2))
        try client.send("(61)calc.echo again")
        #expect(String(decoding: try client.readLine(), as: UTF8.self) == "(61)TRUE zenka-says:niaga")
        #expect(zenka.received.map { $0.split(separator: " ").last.map(String.init) } == (1...50).map { "n\($0)" } + ["again"])
        client.close()
    }

    /// Waits until fewer than `count` descriptors are parked (5 s at most: a wake takes far
    /// less) and then until `count` are again.
    static func waitWokenAndParked(_ cube: CubeProcess, count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, parked(cube) >= count { Thread.sleep(forTimeInterval: 0.01) }
        return waitParked(cube, atLeast: count)
    }

    /// Waits (10 s at most) until at least `count` descriptors are parked.
    static func waitParked(_ cube: CubeProcess, atLeast count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if parked(cube) >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Sockets the cube's epolls watch once (`EPOLLONESHOT`, 0x40000000): the parked ones.
    /// (libdispatch watches a timer that way too, so only sockets count.)
    static func parked(_ cube: CubeProcess) -> Int {
        let pid = cube.process.processIdentifier
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var count = 0
        for fd in descriptors {
            guard (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) == "anon_inode:[eventpoll]",
                  let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8) else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("tfd:") {
                let fields = line.split(separator: " ")
                guard let at = fields.firstIndex(of: "events:"), at + 1 < fields.count,
                      let events = UInt32(fields[at + 1], radix: 16), events & 0x4000_0000 != 0, fields.count > 1,
                      let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fields[1])"),
                      target.hasPrefix("socket:") else { continue }
                count += 1
            }
        }
        return count
    }

    static func openDescriptors(_ cube: CubeProcess) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(cube.process.processIdentifier)/fd")) ?? []).count
    }

    /// The next `count` lines from `socket` (without LF); fewer when it goes quiet for 10 s.
    static func lines(_ count: Int, from socket: RawSocket) -> [String] {
        var lines: [String] = []
        while lines.count < count {
            let line = socket.readLine(timeout: 10)
            guard line.hasSuffix("\n") else { break }
            lines.append(String(line.dropLast()))
        }
        return lines
    }
}
