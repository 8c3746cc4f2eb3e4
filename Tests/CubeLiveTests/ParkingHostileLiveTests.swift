import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Parking with the default configuration and under hostile patterns (docs/performance.md
/// "Idle memory per session", docs/security.md "Resource limits"): a session that says
/// nothing after its login, or a peer that says nothing after it connected, parks at once;
/// many sessions waking and parking together, hanging up while parked or leaving half a line
/// lose nothing and leave nothing behind. Parked descriptors are counted as in
/// ``IdleParkingLiveTests``.
@Suite(.serialized) struct ParkingHostileLiveTests {
    static func resident(_ cube: CubeProcess) -> Int {
        HostileInputLiveTests.residentKiB(of: cube.process.processIdentifier)
    }

    static func logIn(_ count: Int, to cube: CubeProcess) throws -> [RawSocket] {
        var clients: [RawSocket] = []
        for number in 0..<count {
            let client = try RawSocket(path: cube.socketPath)
            #expect(client.loginUnix(), "client \(number)")
            clients.append(client)
        }
        return clients
    }

    @Test func quietSessionsParkRightAfterTheirLoginWithTheDefaultConfiguration() throws {
        let cube = try CubeProcess()
        let before = Self.resident(cube)
        let clients = try Self.logIn(1_000, to: cube)
        // `socket.park-after` is 30 s by default; these park within about 0.1 s of their login.
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 1_000), "the quiet sessions park at once")
        let grown = Self.resident(cube) - before
        // About 2 KiB each in a release build (performance.md); a channel each would add ~1.7.
        #expect(grown < 8 * 1_000, "\(grown) KiB for 1,000 parked sessions")
        for (number, client) in clients.enumerated() {
            client.send("(1)heart\n")
            #expect(client.readLine() == "(1)TRUE beating\n", "client \(number)")
        }
        cube.stop()
    }

    @Test func manySessionsWakingAndParkingAtOnceLoseNothingAndDoNotGrow() throws {
        let cube = try CubeProcess(extraConfiguration: IdleParkingLiveTests.parkAfter)
        let clients = try Self.logIn(500, to: cube)
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 500))
        var residents: [Int] = []
        for round in 1...3 {
            // All 500 wake in the same moment and park again together.
            for client in clients { client.send("(\(round))heart\n") }
            for (number, client) in clients.enumerated() {
                #expect(client.readLine() == "(\(round))TRUE beating\n", "round \(round), client \(number)")
            }
            #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 500), "round \(round)")
            residents.append(Self.resident(cube))
        }
        // The channels of one round are the next round's: nothing accumulates.
        #expect((residents.last ?? 0) - (residents.first ?? 0) < 1_024, "RSS per round \(residents) KiB")
        cube.stop()
    }

    @Test func peersThatConnectAndNeverSpeakParkAndAreClosedAtTheLoginDeadline() throws {
        let cube = try CubeProcess(extraConfiguration: "timeouts.login = 5")
        var silent: [RawSocket] = []
        for _ in 0..<300 {
            let peer = try RawSocket(path: cube.socketPath)
            #expect(peer.read(count: 32).count == 32)
            silent.append(peer)
        }
        // Before their login they hold no channel: about 0.1 s after the banner they park.
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 300), "silent peers park")
        let descriptors = IdleParkingLiveTests.openDescriptors(cube) - 300
        for (number, peer) in silent.enumerated() {
            var before: [UInt8] = []
            #expect(peer.isClosedByPeer(timeout: 10, before: &before), "peer \(number)")
            #expect(String(decoding: before, as: UTF8.self) == ">:| timeout\n", "peer \(number)")
        }
        #expect(Self.waitDescriptors(cube, count: descriptors), "every descriptor closed")
        #expect(IdleParkingLiveTests.parked(cube) == 0)
        cube.stop()
    }

    @Test func aHalfLineThenSilenceParksAndTheRestOfTheLineCompletesIt() throws {
        let cube = try CubeProcess(extraConfiguration: IdleParkingLiveTests.parkAfter)
        // Half a login line: the peer spoke, so it parks only after `socket.park-after`.
        let peer = try RawSocket(path: cube.socketPath)
        #expect(peer.read(count: 32).count == 32)
        peer.send("select un")
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 1), "the half login line's session parks")
        peer.send("ix\nauth unix-root\n")
        #expect(peer.read(until: "AUTH_TRUE =)\n").hasSuffix("TRUE continue\nAUTH_TRUE =)\n"))
        // Half a command after the login, then silence: parked again, completed later.
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 1))
        peer.send("(1)hea")
        #expect(IdleParkingLiveTests.waitWokenAndParked(cube, count: 1), "the half command's session parks")
        peer.send("rt\n")
        #expect(peer.readLine() == "(1)TRUE beating\n")
        cube.stop()
    }

    @Test func sessionsHangingUpWhileParkedEndAndLeaveNothingOpen() throws {
        let cube = try CubeProcess()
        var clients = try Self.logIn(400, to: cube)
        #expect(IdleParkingLiveTests.waitParked(cube, atLeast: 400))
        let descriptors = IdleParkingLiveTests.openDescriptors(cube) - 400
        // Half of them hang up at once while parked; the other half stay and still answer.
        let leaving = clients.prefix(200)
        clients.removeFirst(200)
        for client in leaving { client.close() }
        #expect(Self.waitDescriptors(cube, count: descriptors + 200), "the hung-up sessions' descriptors close")
        #expect(IdleParkingLiveTests.parked(cube) == 200)
        for (number, client) in clients.enumerated() {
            client.send("(1)heart\n")
            #expect(client.readLine() == "(1)TRUE beating\n", "client \(number)")
        }
        for client in clients { client.close() }
        #expect(Self.waitDescriptors(cube, count: descriptors), "every descriptor closes")
        cube.stop()
    }

    /// Waits (10 s at most) until the cube has `count` open descriptors.
    static func waitDescriptors(_ cube: CubeProcess, count: Int) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if IdleParkingLiveTests.openDescriptors(cube) == count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
