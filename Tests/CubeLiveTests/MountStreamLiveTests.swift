import Foundation
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
