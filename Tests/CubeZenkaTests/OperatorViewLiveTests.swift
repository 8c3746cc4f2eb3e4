import CubeTestSupport
import Foundation
import Synchronization
import Testing

/// `p7 top --once` and `p7 watch` against a real cube with the `calc` sample zenka
/// (docs/p7.md "p7 top", "p7 watch").
@Suite(.serialized) struct OperatorViewLiveTests {
    @Test func topPrintsRatesOfZenkiSessionsAndLinks() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let calc = try ZenkaProcess(["calc"], name: "calc", cube: cube)
        try await calc.waitUntilPresent("calc", client: client)
        for index in 1...5 { #expect(try await client.final("calc.eval \(index)+1") == "TRUE \(index + 1)") }
        let run = try await offPool {
            try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "top", "--once", "--interval", "0.3"])
        }
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("p7 top: testcube   up ") == true, "\(run.stdout)")
        #expect(lines.contains { $0.hasPrefix("commands/s ") })
        // calc's row: online, one session, the 5 requests counted.
        let calcRow = try #require(lines.first { $0.hasPrefix("calc ") }, "\(run.stdout)")
        let cells = calcRow.split(separator: " ")
        #expect(cells.count >= 6 && cells[1] == "online" && cells[2] == "1" && cells.last == "5", "\(calcRow)")
        #expect(lines.contains("sessions:") && lines.contains { $0.contains("unix-") })
        #expect(lines.contains("links: none (this node takes no part in a network)"))
        #expect(!run.stdout.contains("\u{1B}"), "--once draws no escapes")
        // Without the stats command, top says which command was refused.
        let denied = try await offPool {
            try ExecutableRun.run(Binaries.p7, ["--socket", cube.socketPath, "top", "--once"],
                                  environment: ["PROTOCOL_7_BIN_P7_USER": "nobody-special"])
        }
        #expect(denied.status != 0)
        calc.stop()
        cube.stop()
    }

    @Test(.enabled(if: TerminalLiveTests.hasPython, "needs /usr/bin/python3 for its pty module"))
    func watchShowsMatchingTrafficUntilCtrlC() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let calc = try ZenkaProcess(["calc"], name: "calc", cube: cube)
        try await calc.waitUntilPresent("calc", client: client)
        let steps = [
            "e:watching 'calc.*'",
            "e:calc.eval 6*7", "e:TRUE 42\r\n",
            "s:\\x03",
        ]
        async let driven = offPool {
            try TerminalDriver.run(Binaries.p7, ["--socket", cube.socketPath, "watch", "calc.*"], steps: steps)
        }
        // Traffic once the watch runs: a heart of another target (not copied), then calc.
        #expect(try await eventually { try await client.final("list sessions").contains("unix-") })
        try await Task.sleep(for: .seconds(1))
        #expect(try await client.final("echo.heart notime").hasPrefix("FALSE"))
        #expect(try await client.final("calc.eval 6*7") == "TRUE 42")
        let (status, transcript) = try await driven
        #expect(status == 0, "\(transcript)")
        #expect(transcript.contains("cmd unix-"), "\(transcript)")
        #expect(!transcript.contains("echo.heart"), "\(transcript)")
        #expect(transcript.contains("[driver] exit 0"), "\(transcript)")
        calc.stop()
        cube.stop()
    }

    /// Ctrl-C ends a watch while matching traffic keeps flowing: p7 looked for Ctrl-C only
    /// when a read timed out, so a busy watch ran on until the traffic paused (a hostile
    /// tester's finding). Traffic here goes on until p7 has exited, or 15 s.
    @Test(.enabled(if: TerminalLiveTests.hasPython, "needs /usr/bin/python3 for its pty module"))
    func ctrlCEndsAWatchWhileTrafficKeepsFlowing() async throws {
        let cube = try CubeProcess(profile: .zenka)
        let client = try TestClient(cube: cube)
        let calc = try ZenkaProcess(["calc"], name: "calc", cube: cube)
        try await calc.waitUntilPresent("calc", client: client)
        let steps = ["e:watching 'calc.*'", "e:TRUE 42\r\n", "w:0.5", "s:\\x03"]
        let ended = Mutex(false)
        async let driven = offPool {
            defer { ended.withLock { $0 = true } }
            return try TerminalDriver.run(Binaries.p7, ["--socket", cube.socketPath, "watch", "calc.*"], steps: steps)
        }
        #expect(try await eventually { try await client.final("list sessions").contains("unix-") })
        let stop = ContinuousClock.now + .seconds(15)
        var stillFlowing = false
        while ContinuousClock.now < stop {
            if ended.withLock({ $0 }) {
                stillFlowing = true
                break
            }
            _ = try await client.final("calc.eval 6*7")
            try await Task.sleep(for: .milliseconds(20))
        }
        let (status, transcript) = try await driven
        #expect(stillFlowing, "p7 ran on while the traffic flowed: \(transcript.suffix(300))")
        #expect(status == 0, "\(transcript.suffix(300))")
        calc.stop()
        cube.stop()
    }
}
