import CubeTestSupport
import Foundation
import Testing

/// Routing through a real cube process over real unix sockets.
@Suite(.serialized) struct RoutingLiveTests {
    @Test func originalClientPipelinedLoginGetsExactBytes() throws {
        let cube = try CubeProcess()
        let client = try RawSocket(path: cube.socketPath)
        _ = client.read(count: 32)
        client.send("select unix\nauth unix-root\n(42)whoami\n")
        let reply = client.read(until: "\n", timeout: 5) + client.read(until: "\n") + client.read(until: "\n")
        #expect(reply.hasPrefix("TRUE continue\nAUTH_TRUE =)\n(42)TRUE unix-root "))
        cube.stop()
    }

    @Test func aConnectionThatNeverLogsInIsClosedAfterTheLoginTimeoutAndOthersStay() throws {
        let cube = try CubeProcess(extraConfiguration: "timeouts.login = 1")
        let idle = try RawSocket(path: cube.socketPath)
        _ = idle.read(count: 32)
        idle.send("select unix\n")
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        var before: [UInt8] = []
        // The deadline is one second; the periodic check may add up to one more.
        #expect(idle.isClosedByPeer(timeout: 4, before: &before))
        #expect(String(decoding: before, as: UTF8.self) == "TRUE continue\n>:| timeout\n")
        client.send("(1)heart\n")
        #expect(client.read(until: "\n") == "(1)TRUE beating\n")
        cube.stop()
    }

    @Test func routesToAZenkaAndBackWithLatency() throws {
        let cube = try CubeProcess()
        let zenka = try TestZenka(name: "calc", cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("(43)calc.heart\n")
        let heart = client.read(until: "\n")
        #expect(heart.hasPrefix("(43)TRUE beating [ 0.") && heart.hasSuffix(" secs ]\n"))
        client.send("(44)calc.echo hello world\n(45)nosuch.heart\n")
        // The local answer may overtake the routed one; each must arrive exactly once.
        let lines = (client.read(until: "\n") + client.read(until: "\n")).split(separator: "\n").sorted()
        #expect(lines == ["(44)TRUE hello world", "(45)FALSE client not present"])
        zenka.stop()
        cube.stop()
    }

    @Test func hundredClientsTimesTwoHundredPipelinedCommandsEachGetExactlyOneReply() throws {
        let cube = try CubeProcess()
        let zenka = try TestZenka(name: "worker", cube: cube)
        let clients = 100
        let perClient = 200
        let failures = Failures()
        let group = DispatchGroup()
        for client in 0..<clients {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    let socket = try RawSocket(path: cube.socketPath)
                    guard socket.loginUnix() else { return failures.add("client \(client) login") }
                    var batch = ""
                    for id in 1...perClient { batch += "(\(id))worker.echo c\(client)-\(id)\n" }
                    socket.send(batch)
                    var seen = Set<Int>()
                    var buffer = ""
                    let deadline = Date().addingTimeInterval(60)
                    while seen.count < perClient, Date() < deadline {
                        let chunk = socket.readAvailable(timeout: 10)
                        if chunk.isEmpty { break }
                        buffer += String(decoding: chunk, as: UTF8.self)
                        while let lf = buffer.firstIndex(of: "\n") {
                            let line = String(buffer[..<lf])
                            buffer.removeSubrange(...lf)
                            guard line.hasPrefix("("), let close = line.firstIndex(of: ")"),
                                  let id = Int(line[line.index(after: line.startIndex)..<close]),
                                  line == "(\(id))TRUE c\(client)-\(id)", seen.insert(id).inserted
                            else { return failures.add("client \(client) bad or duplicate reply '\(line)'") }
                        }
                    }
                    if seen.count != perClient { failures.add("client \(client) got \(seen.count) replies") }
                } catch {
                    failures.add("client \(client): \(error)")
                }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        #expect(failures.all.isEmpty, "\(failures.all.prefix(5))")
        zenka.stop()
        cube.stop()
    }

    @Test func aZenkaKilledMidRequestCollapsesTheRouteAndTheCubeServesOn() throws {
        let cube = try CubeProcess()
        let zenka = try TestZenka(name: "fragile", cube: cube)
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("(50)fragile.never-answered\n")
        usleep(100_000)
        zenka.stop()
        #expect(client.read(until: "\n") == "(50)FALSE command route collapsed\n")
        client.send("(51)heart\n")
        #expect(client.read(until: "\n") == "(51)TRUE beating\n")
        cube.stop()
    }

    @Test func aSizeBodyCutOffByDisconnectCollapsesTheRoute() throws {
        let cube = try CubeProcess()
        let admin = try RawSocket(path: cube.socketPath)
        #expect(admin.loginUnix())
        admin.send("(1)session-key cutter k3y\n")
        #expect(admin.read(until: "\n") == "(1)TRUE key added\n")
        let cutter = try RawSocket(path: cube.socketPath)
        _ = cutter.read(count: 32)
        cutter.send("select zenka\ncutter k3y\n")
        #expect(cutter.read(until: "AUTH_TRUE =)\n") == "TRUE continue\nAUTH_TRUE =)\n")
        admin.send("(2)cutter.get\n")
        let forwarded = cutter.read(until: "\n")
        let tid = forwarded.dropFirst().prefix { $0 != ")" }
        cutter.send("(\(tid))SIZE 100\nonly a part")
        usleep(100_000)
        cutter.close()
        #expect(admin.read(until: "\n") == "(2)FALSE command route collapsed\n")
        cube.stop()
    }
}

/// Collects failures from worker threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []

    func add(_ failure: String) {
        lock.lock()
        items.append(failure)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
