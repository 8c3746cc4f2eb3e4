import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Further points of FILESYSTEM.md: backlog and cursors, line limits, refused operations,
/// multi-line commands, end-of-file for a session that ended, and the other ways to unmount.
extension MountLiveTests {
    @Test func aNewReaderOfOutStartsWithTheLast64RepliesAndEachOpenHasItsOwnCursor() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let calc = try TestZenka(name: "calc", cube: mount.cube)
        let other = try TestZenka(name: "other", cube: mount.cube)
        defer { calc.stop(); other.stop() }
        #expect(mount.waitListed("calc") != nil && mount.waitListed("other") != nil)
        let batch = (1...70).map { "echo b\($0)\\n" }.joined()
        let write = mount.write("zenki/calc/cmd", [batch])
        #expect(write.lines.first?.hasPrefix("write ok ") == true && write.lines.last == "close ok", "\(write)")
        #expect(mount.readLines("zenki/calc/out", pattern: "TRUE b70").succeeded)
        let first = mount.readLines("zenki/calc/out", count: 64, pattern: "TRUE b")
        let second = mount.readLines("zenki/calc/out", count: 64, pattern: "TRUE b")
        for backlog in [first, second] {
            #expect(backlog.lines.count == 64, "\(backlog.lines.count) lines: \(backlog.lines.prefix(3))")
            #expect(backlog.lines.first?.hasSuffix("TRUE b7") == true, "\(backlog.lines.prefix(3))")
            #expect(backlog.lines.last?.hasSuffix("TRUE b70") == true, "\(backlog.lines.suffix(3))")
        }
        // Small reads cut replies anywhere and lose nothing: 4 × 7 bytes with dd.
        let dd = MountChild.run(["/bin/dd", "if=\(mount.path("zenki/calc/out"))", "bs=7", "count=4", "status=none"])
        let stream = first.lines.map { $0 + "\n" }.joined()
        #expect(dd.succeeded && dd.output == String(stream.prefix(28)), "\(dd)")
        // Another directory's out saw none of it.
        #expect(MountChild.py(MountScripts.nonblockingRead, [mount.path("zenki/other/out")]).lines == ["EAGAIN"])
    }

    @Test func aLineLongerThan64KiBFailsWithEMSGSIZEAndTheNextLineStillWorks() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let long = "echo " + String(repeating: "x", count: 70_000) + "\\n"
        let write = mount.write("zenki/calc/cmd", [long, "(2)echo after long\\n"])
        #expect(write.lines == ["write EMSGSIZE", "write ok 19", "close ok"], "\(write.lines)")
        let out = mount.readLines("zenki/calc/out", pattern: "(2)")
        #expect(out.lines.count == 2 && out.lines.first?.contains("FALSE") == true, "\(out)")
        #expect(out.lines.last == "(2)TRUE after long", "\(out)")
    }

    @Test func creatingRemovingRenamingAndTruncatingToNonZeroAreRefusedWithEPERM() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let run = MountChild.py(MountScripts.refusals, [mount.path("zenki/calc")])
        #expect(run.lines == [
            "create EPERM", "unlink EPERM", "rename EPERM", "truncate5 EPERM", "truncate0 ok",
            "trunc ok", "append ok", "readcmd EACCES", "writeout EACCES",
        ], "\(run)")
        // `echo heart >> cmd` works like `>`.
        #expect(MountChild.sh("echo '(4)heart' >> \(shq(mount.path("zenki/calc/cmd")))").succeeded)
        #expect(mount.readLines("zenki/calc/out", pattern: "(4)TRUE beating").succeeded)
        #expect(mount.names("zenki/calc").sorted() == ["ask", "cmd", "info", "out", "sessions", "stats"])
    }

    @Test func aMultiLineCommandIsSentAsOneCommandLikeOnTheWire() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        // The test zenka answers only the first line of a multi-line command (FALSE: it knows
        // no `echo+`); a line of the block sent on its own would produce extra replies.
        let write = mount.write("zenki/calc/cmd", ["(5)echo+\\nkey: value\\n\\n", "body line\\n.\\n", "(6)echo after\\n"])
        #expect(write.lines.allSatisfy { $0.hasSuffix("ok") || $0.hasPrefix("write ok") }, "\(write)")
        let out = mount.readLines("zenki/calc/out", pattern: "(6)")
        #expect(out.lines == ["(5)FALSE command does not exist", "(6)TRUE after"], "\(out)")
    }

    @Test func aBlockedCatOfASessionsOutEndsWithEndOfFileWhenTheSessionLeaves() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        #expect(mount.waitListed("calc") != nil)
        let sid = mount.cat("zenki/calc/sessions").lines.first ?? "?"
        let cat = MountChild(["/bin/cat", mount.path("sessions/\(sid)/out")])
        #expect(cat.waitUntilBlockedInRead())
        zenka.stop()
        let ended = cat.wait(timeout: 3)
        #expect(ended.succeeded && ended.output.isEmpty, "\(ended)")
    }

    @Test func pollOnASessionsOutWakesWithEndOfFileWhenTheSessionLeaves() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        #expect(mount.waitListed("calc") != nil)
        let sid = mount.cat("zenki/calc/sessions").lines.first ?? "?"
        let ready = mountFlag()
        defer { unlink(ready) }
        // The read helper sleeps in poll(2), then reads.
        let reader = mount.reader("sessions/\(sid)/out", count: 1, pattern: "never", timeout: 10, ready: ready)
        #expect(waitForFlag(ready))
        usleep(100_000)
        let left = Date()
        zenka.stop()
        let ended = reader.wait(timeout: 3)
        let seconds = Date().timeIntervalSince(left)
        #expect(!ended.timedOut && seconds < 1, "poll did not wake within 1 s of the session leaving: \(ended)")
        #expect(ended.status == 4 && ended.lines == ["EOF"], "\(ended)")
    }

    @Test func pollOnOutWakesWithEndOfFileWhenTheCubeIsStopped() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let ready = mountFlag()
        defer { unlink(ready) }
        let poller = mount.reader("out", count: 1, pattern: "never", timeout: 10, ready: ready)
        #expect(waitForFlag(ready))
        usleep(100_000)
        #expect(mount.cube.stop(signal: SIGTERM, seconds: 5) == 0)
        let ended = poller.wait(timeout: 3)
        #expect(!ended.timedOut, "poller still asleep after SIGTERM: \(ended)")
        // Like a blocked read, a poller must see a clean end-of-file, not the cut connection.
        #expect(ended.status == 4 && ended.lines == ["EOF"], "\(ended)")
        #expect(!mount.isMounted)
    }

    @Test func askKeepsWaitingWhileAReplyIsMissingAndASignalEndsTheWait() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        // The test zenka never answers `never`: no end-of-file, only the reply that came.
        let waiting = MountChild.py(MountScripts.askWait, [mount.path("zenki/calc/ask"), "(1)echo a", "(2)never"])
        #expect(waiting.lines == ["got '(1)TRUE a\\n'", "interrupted"], "\(waiting)")
        // All answered: end-of-file, nothing else.
        let done = MountChild.py(MountScripts.askWait, [mount.path("zenki/calc/ask"), "(3)echo b", "(4)echo c"])
        #expect(done.lines == ["got '(3)TRUE b\\n(4)TRUE c\\n'", "EOF"], "\(done)")
        // Reading before writing anything: end-of-file at once.
        let empty = MountChild.sh("exec 3<>\(shq(mount.path("zenki/calc/ask"))); cat <&3", timeout: 3)
        #expect(empty.succeeded && empty.output.isEmpty, "\(empty)")
    }

    @Test func sigintFusermountAndCubeUnmountEachLeaveNothingMounted() throws {
        let interrupted = try MountedCube()
        defer { interrupted.cleanup() }
        let status = interrupted.cube.stop(signal: SIGINT, seconds: 5)
        #expect(status == 0, "cube exit after SIGINT: \(status)")
        #expect(!interrupted.isMounted, "still mounted after SIGINT")

        let fused = try MountedCube()
        defer { fused.cleanup() }
        let fusermount = MountChild.run(["/usr/bin/fusermount3", "-u", fused.mountPoint])
        #expect(fusermount.succeeded, "\(fusermount)")
        #expect(!fused.isMounted, "still mounted after fusermount3 -u")
        #expect(fused.cube.stop(signal: SIGTERM, seconds: 5) == 0, "cube after an external unmount")

        let unmounted = try MountedCube()
        defer { unmounted.cleanup() }
        let command = MountChild.run([Binaries.cube, "unmount", unmounted.mountPoint], timeout: 10)
        #expect(command.succeeded && command.output.contains("unmounted"), "\(command)")
        #expect(!unmounted.isMounted, "still mounted after cube unmount")
        #expect(unmounted.cube.stop(signal: SIGTERM, seconds: 5) == 0, "cube after cube unmount")
    }
}
