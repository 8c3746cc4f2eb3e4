import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a hostile user can make a real cube process hold or wait for: connections leave no
/// memory behind, and mass disconnects cost every other client nothing noticeable
/// (docs/security.md "Resource limits").
@Suite(.serialized) struct ResourceLimitsLiveTests {
    /// Resident memory of `process` in KiB (VmRSS).
    static func residentKiB(_ process: Process) -> Int {
        HostileInputLiveTests.residentKiB(of: process.processIdentifier)
    }

    /// `count` connect/close cycles: every other one logs in, the rest only read the banner.
    static func churn(_ cube: CubeProcess, count: Int) throws {
        for cycle in 0..<count {
            let client = try RawSocket(path: cube.socketPath)
            if cycle % 2 == 0 {
                #expect(client.loginUnix())
            } else {
                #expect(client.read(count: 32).count == 32)
            }
            client.close()
        }
    }

    @Test func closedConnectionsLeaveNoMemoryBehind() throws {
        let cube = try CubeProcess()
        try Self.churn(cube, count: 1_000)
        usleep(300_000)
        let warm = Self.residentKiB(cube.process)
        try Self.churn(cube, count: 5_000)
        usleep(300_000)
        let after = Self.residentKiB(cube.process)
        // Each connection used to leave ~1.8 KB (release; more in debug) behind: 5,000 would
        // add 9 MB or more. Allocator noise stays well under the bound.
        #expect(after - warm < 2_048, "RSS \(warm) KiB after 1,000 cycles, \(after) KiB after 6,000")
        // The cube still serves.
        let client = try RawSocket(path: cube.socketPath)
        #expect(client.loginUnix())
        client.send("heart\n")
        #expect(client.readLine() == "TRUE beating\n")
        cube.stop()
    }

    @Test func closingThousandsOfOneUsersSessionsDoesNotStallOthers() throws {
        let cube = try CubeProcess()
        var opened: [RawSocket] = []
        for _ in 0..<6_000 {
            let client = try RawSocket(path: cube.socketPath)
            #expect(client.loginUnix())
            opened.append(client)
        }
        let crowd = opened
        let watcher = try RawSocket(path: cube.socketPath)
        #expect(watcher.loginUnix())
        let closer = Thread {
            for client in crowd { client.close() }
        }
        var worst = 0.0
        var answered = 0
        closer.start()
        let started = Date()
        while Date().timeIntervalSince(started) < 3 {
            let sent = Date()
            watcher.send("heart\n")
            if watcher.readLine(timeout: 10) == "TRUE beating\n" { answered += 1 }
            worst = max(worst, Date().timeIntervalSince(sent))
        }
        // Removal used to cost time proportional to the user's session count, so closing n
        // sessions cost n² steps: 6,000 stalled others for seconds in a debug build. The goal
        // (< 20 ms, release) is measured by `make soak`; this bound only catches the n² cost.
        // Crowd and watcher are both root here, so they share an event loop (docs/security.md
        // "Resource limits"): the linear cost remains, 1.54 s once in a debug build at load 17.
        #expect(worst < 3, "worst heart latency \(worst) s while 6,000 sessions closed")
        #expect(answered > 0)
        cube.stop()
    }

    @Test func slowReadersCannotQueueMoreOutputThanTheMemoryLimit() throws {
        // 32 MiB for everything, while each session alone could queue 16 MiB.
        let cube = try CubeProcess(extraConfiguration: "limits.memory = 33554432\nlimits.output-queue = 16777216")
        let honest = try RawSocket(path: cube.socketPath)
        #expect(honest.loginUnix())
        // One offer with a 60 KB attribute makes every `offers` reply 60 KB.
        honest.send("(1)offer disk 10 note=\(String(repeating: "n", count: 60_000))\n")
        #expect(honest.readLine() == "(1)TRUE offer 1\n")
        let before = Self.residentKiB(cube.process)
        // Twelve sessions ask for the listing 400 times each (12 × 24 MB) and never read it.
        var sluggards: [RawSocket] = []
        for _ in 0..<12 {
            let sluggard = try RawSocket(path: cube.socketPath)
            #expect(sluggard.loginUnix())
            var size: Int32 = 4096
            setsockopt(sluggard.descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            sluggards.append(sluggard)
        }
        var peak = before
        for round in 0..<400 {
            for sluggard in sluggards { sluggard.send("(\(round + 1))offers\n") }
            if round % 20 == 0 {
                peak = max(peak, Self.residentKiB(cube.process))
                honest.send("heart\n")
                #expect(honest.readLine(timeout: 10) == "TRUE beating\n", "the honest client is not served")
            }
        }
        usleep(500_000)
        peak = max(peak, Self.residentKiB(cube.process))
        let dropped = sluggards.filter { $0.isClosedByPeer(timeout: 5) }.count
        #expect(dropped > 0, "no slow reader was disconnected")
        // Debug builds keep more per byte queued than release; 32 MiB of queue plus slack.
        #expect(peak - before < 80 * 1024, "RSS \(before) KiB before, \(peak) KiB at peak")
        honest.send("heart\n")
        #expect(honest.readLine() == "TRUE beating\n")
        print("memory: slow readers: RSS \(before) KiB before, \(peak) KiB at peak, \(dropped) of 12 dropped")
        cube.stop()
    }
}
