import CubeTestSupport
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Blocking, interruptible, pollable reads of `out` through the real mount.
extension MountLiveTests {
    @Test func killIntOfACatBlockedOnOutEndsItWithin200Milliseconds() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        // The driver clears the signal mask Foundation's Process leaves blocked before exec'ing cat.
        let run = MountChild.py(MountScripts.interruptCat, [mount.path("out")], timeout: 10)
        let line = run.lines.first ?? ""
        guard let match = line.wholeMatch(of: #/blocked=(\d) rc=(-?\w+) ms=([0-9.]+)/#) else {
            Issue.record("driver failed: \(run)")
            return
        }
        print("mount: SIGINT to blocked `cat out` → exit after \(match.3) ms (rc \(match.2))")
        #expect(match.1 == "1", "cat never blocked in read: \(run)")
        #expect(match.2 != "timeout", "cat survived SIGINT: \(run)")
        #expect(Double(match.3).map { $0 < 200 } == true, "took \(match.3) ms")
    }

    @Test func aCaughtSignalInterruptsABlockedReadWithEINTRAndTheNextReplyStillArrives() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let run = MountChild.py(MountScripts.caughtSignal,
                                [mount.path("zenki/calc/out"), mount.path("zenki/calc/cmd"), "(14)echo after signal"],
                                timeout: 10)
        #expect(run.succeeded, "\(run)")
        #expect(run.lines.first?.hasPrefix("interrupted ms=") == true, "\(run)")
        // The interrupted read must not have stayed parked and swallowed the reply.
        #expect(run.lines.dropFirst().first == "next (14)TRUE after signal", "\(run)")
    }

    @Test func pollOnOutSleepsWithoutDataAndWakesWhenANewReplyArrives() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let run = MountChild.py(MountScripts.pollWakes,
                                [mount.path("zenki/calc/out"), mount.path("zenki/calc/cmd"), "(15)echo polled"],
                                timeout: 10)
        #expect(run.succeeded, "\(run)")
        #expect(run.lines.first == "idle=[]", "poll reported data before any reply: \(run)")
        let woke = run.lines.dropFirst().first ?? ""
        #expect(woke.hasPrefix("woke=[1] ") || woke.hasPrefix("woke=[65] "), "poll did not wake with POLLIN: \(run)")
        #expect(run.lines.contains("select=1"), "\(run)")
        #expect(run.lines.last == "read (15)TRUE polled", "\(run)")
        print("mount: poll on out woke \(woke)")
    }

    /// `poll` on `ask` sleeps until the reply to what was written arrives (before, `ask` always
    /// reported itself writable and never registered the poll, so a poller for POLLIN slept to
    /// its timeout: found by a hostile second reader).
    @Test func pollOnAskWakesWhenTheReplyArrives() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let responder = try RawSocket(path: mount.cube.socketPath)
        #expect(responder.loginUnix())
        responder.send("whoami\n")
        let id = try #require(responder.readLine().split(separator: " ").last?.trimmingCharacters(in: .newlines))
        let finished = DispatchGroup()
        let outcome = Mutex<MountChild.Outcome?>(nil)
        let arguments = [mount.path("ask"), "(21)\(id).ping"]
        finished.enter()
        Thread.detachNewThread {
            let run = MountChild.py(MountScripts.pollAsk, arguments, timeout: 10)
            outcome.withLock { $0 = run }
            finished.leave()
        }
        let routed = responder.readLine(timeout: 5)
        #expect(routed.hasSuffix(")ping\n"), "\(routed)")
        usleep(500_000)
        responder.send("(\(routed.dropFirst().prefix { $0 != ")" }))TRUE pong\n")
        finished.wait()
        let run = try #require(outcome.withLock { $0 })
        #expect(run.succeeded, "\(run)")
        let woke = run.lines.first ?? ""
        let waited = Int(woke.split(separator: "=").last ?? "") ?? -1
        #expect(woke.hasPrefix("woke=[1] ") && waited >= 300 && waited < 3000, "poll did not wake with the reply: \(run)")
        #expect(run.lines.last == "read (21)TRUE pong", "\(run)")
    }

    @Test func aNonblockingReadOfOutOrEventsWithNoDataFailsWithEAGAIN() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        for file in ["zenki/calc/out", "out", "events"] {
            let run = MountChild.py(MountScripts.nonblockingRead, [mount.path(file)])
            #expect(run.lines == ["EAGAIN"], "\(file): \(run)")
        }
        // With a reply waiting, the same read returns it at once.
        #expect(mount.echo("(16)echo ready", to: "zenki/calc/cmd").succeeded)
        #expect(mount.readLines("zenki/calc/out", pattern: "(16)").succeeded)
        let run = MountChild.py(MountScripts.nonblockingRead, [mount.path("zenki/calc/out")])
        #expect(run.lines == [#"DATA b'(16)TRUE ready\n'"#], "\(run)")
        // dd sees the same EAGAIN.
        let dd = MountChild.run(["/bin/dd", "if=\(mount.path("events"))", "iflag=nonblock", "bs=4096", "count=1",
                                 "status=none"])
        #expect(dd.status != 0 && dd.errors.contains("Resource temporarily unavailable"), "\(dd)")
    }
}

/// The replies kept for `out` readers are bounded in bytes and go with their directory.
extension MountLiveTests {
    /// `reply-logs` and `reply-log-bytes` from the mount's `status`.
    private func replyLogs(_ mount: MountedCube) -> (logs: Int, bytes: Int)? {
        var values: [String: Int] = [:]
        for line in mount.cat("status").lines {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, let value = Int(parts[1]) { values[parts[0]] = value }
        }
        guard let logs = values["reply-logs"], let bytes = values["reply-log-bytes"] else { return nil }
        return (logs, bytes)
    }

    @Test func replyLogsAreBoundedInBytesAndFreedWithTheirDirectory() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        #expect(mount.waitListed("calc") != nil)
        // 48 replies of 30,000 bytes: 1.4 MB, more than one directory may keep (1 MiB).
        let text = String(repeating: "x", count: 30_000)
        let steps = (1...48).map { "(\($0))echo \(text)\\n" }
        #expect(mount.write("zenki/calc/cmd", steps).succeeded)
        #expect(mount.readLines("zenki/calc/out", count: 1, pattern: "(48)", timeout: 10).succeeded)
        let held = replyLogs(mount)
        #expect(held.map { $0.logs >= 1 && $0.bytes > 900_000 && $0.bytes <= (1 << 20) + 30_016 } == true,
                "status: \(String(describing: held))")
        zenka.stop()
        #expect(mount.waitListed("calc", present: false) != nil)
        let after = replyLogs(mount)
        #expect(after.map { $0.bytes < 4_096 } == true, "the log stayed after its directory went: \(String(describing: after))")
    }
}
