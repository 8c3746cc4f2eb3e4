import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `cmd`, `out` and `ask` through the real mount.
extension MountLiveTests {
    @Test func echoHeartIntoAZenkasCmdPutsTrueBeatingWithItsLatencyInItsOut() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let write = mount.echo("heart", to: "zenki/calc/cmd")
        #expect(write.succeeded, "\(write)")
        let head = MountChild.run(["/usr/bin/timeout", "-s", "KILL", "3", "/usr/bin/head", "-n", "1",
                                   mount.path("zenki/calc/out")], timeout: 5)
        #expect(head.succeeded, "\(head)")
        let line = head.lines.first ?? ""
        #expect(line.wholeMatch(of: #/\(\d+\)TRUE beating \[ [0-9.]+ secs \]/#) != nil, "'\(line)'")
    }

    @Test func aLineCarryingItsOwnIdKeepsThatIdInTheReply() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        #expect(mount.echo("(7) heart", to: "zenki/calc/cmd").succeeded)
        #expect(mount.echo("heart", to: "zenki/calc/cmd").succeeded)
        let out = mount.readLines("zenki/calc/out", count: 2, pattern: "TRUE beating")
        #expect(out.succeeded, "\(out)")
        #expect(out.lines.first?.wholeMatch(of: #/\(7\)TRUE beating \[ [0-9.]+ secs \]/#) != nil, "\(out)")
        // The line without an id got a fresh one, not 7 and not 0.
        let assigned = out.lines.dropFirst().first?.firstMatch(of: #/^\((\d+)\)/#).map { String($0.1) }
        #expect(assigned != nil && assigned != "7" && assigned != "0", "\(out)")
    }

    @Test func aCommandSplitAcrossTwoWritesIsSentOnceAsOneLine() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let write = mount.write("zenki/calc/cmd", ["(11)ec", "@sleep=0.1", "ho split one\\n(12)echo after\\n"])
        #expect(write.lines == ["write ok 6", "write ok 28", "close ok"], "\(write)")
        let out = mount.readLines("zenki/calc/out", pattern: "(12)")
        #expect(out.succeeded, "\(out)")
        #expect(out.lines == ["(11)TRUE split one", "(12)TRUE after"], "\(out)")
    }

    @Test func aFinalLineWithoutLineFeedIsSentOnlyWhenTheFileIsClosed() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let (written, release) = (mountFlag(), mountFlag())
        defer { unlink(written); unlink(release) }
        let writer = MountChild.python(MountScripts.write,
                                       [mount.path("zenki/calc/cmd"), "(21)echo no lf", "@flag=\(written)", "@wait=\(release)"])
        #expect(waitForFlag(written))
        usleep(300_000)
        let early = MountChild.py(MountScripts.nonblockingRead, [mount.path("zenki/calc/out")])
        #expect(early.lines == ["EAGAIN"], "sent before close: \(early)")
        raiseFlag(release)
        let closed = writer.wait(timeout: 5)
        #expect(closed.lines == ["write ok 14", "close ok"], "\(closed)")
        let out = mount.readLines("zenki/calc/out", pattern: "(21)")
        #expect(out.lines == ["(21)TRUE no lf"], "\(out)")
        // And `printf` without a newline, the way a shell user does it.
        #expect(MountChild.sh("printf 'echo shell no lf' > \(shq(mount.path("zenki/calc/cmd")))").succeeded)
        let shell = mount.readLines("zenki/calc/out", pattern: "TRUE shell no lf")
        #expect(shell.succeeded, "\(shell)")
    }

    @Test func tenWritersOnOneCmdAtOnceGetEveryReplyExactlyOnceInOut() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "many", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("many") != nil)
        let writers = 10
        let lines = 20
        let ready = mountFlag()
        defer { unlink(ready) }
        let reader = mount.reader("zenki/many/out", count: writers * lines, pattern: "TRUE c", timeout: 15, ready: ready)
        #expect(waitForFlag(ready))
        let cmd = shq(mount.path("zenki/many/cmd"))
        let children = (0..<writers).map { writer in
            MountChild.shell("i=1; while [ $i -le \(lines) ]; do echo \"echo c\(writer)-$i\"; i=$((i+1)); done > \(cmd)")
        }
        for (writer, child) in children.enumerated() {
            let outcome = child.wait(timeout: 10)
            #expect(outcome.succeeded, "writer \(writer): \(outcome)")
        }
        let read = reader.wait(timeout: 20)
        #expect(read.succeeded, "\(read.status) after \(read.lines.count) lines")
        var ids = Set<String>()
        var texts: [String: Int] = [:]
        for line in read.lines {
            guard let match = line.wholeMatch(of: #/\((\d+)\)TRUE (c\d+-\d+)/#) else {
                Issue.record("unexpected line in out: '\(line)'")
                continue
            }
            #expect(ids.insert(String(match.1)).inserted, "id \(match.1) used twice")
            texts[String(match.2), default: 0] += 1
        }
        let expected = (0..<writers).flatMap { writer in (1...lines).map { "c\(writer)-\($0)" } }
        #expect(Set(texts.keys) == Set(expected), "missing: \(Set(expected).subtracting(texts.keys).sorted().prefix(10))")
        #expect(texts.values.allSatisfy { $0 == 1 }, "duplicates: \(texts.filter { $0.value > 1 }.keys.sorted())")
    }

    @Test func askReturnsExactlyItsOwnRepliesThenEndOfFileWhileAnotherWriterUsesCmd() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "asker", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("asker") != nil)
        let noiseSteps = (0..<60).flatMap { ["echo noise-\($0)\\n", "@sleep=0.005"] }
        let noise = MountChild.python(MountScripts.write, [mount.path("zenki/asker/cmd")] + noiseSteps)
        usleep(50_000)
        let ask = shq(mount.path("zenki/asker/ask"))
        let transaction = MountChild.sh("""
            exec 3<>\(ask)
            echo 'echo own-1' >&3
            echo '(42) echo own-2' >&3
            echo heart >&3
            cat <&3
            """, timeout: 5)
        #expect(transaction.succeeded, "ask did not end with EOF: \(transaction)")
        let lines = transaction.lines
        #expect(lines.count == 3, "\(transaction)")
        #expect(lines.contains { $0.wholeMatch(of: #/\(\d+\)TRUE own-1/#) != nil }, "\(transaction)")
        #expect(lines.contains("(42)TRUE own-2"), "\(transaction)")
        #expect(lines.contains { $0.wholeMatch(of: #/\(\d+\)TRUE beating \[ [0-9.]+ secs \]/#) != nil }, "\(transaction)")
        #expect(!lines.contains { $0.contains("noise") }, "\(transaction)")
        let noisy = noise.wait(timeout: 10)
        #expect(noisy.succeeded && noisy.lines.filter { $0.hasPrefix("write ok") }.count == 60, "\(noisy)")
        // The noise went to `out`, every line of it.
        let out = mount.readLines("zenki/asker/out", pattern: "TRUE noise-59")
        #expect(out.succeeded, "\(out)")
    }

    @Test func aCommandForAMissingZenkaFailsWithENOENTAndItsFalseLineShowsInOut() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        // Through the cube's own cmd: no such zenka at all.
        let write = mount.write("cmd", ["(5)nosuch.heart\\n"])
        #expect(write.lines == ["write ENOENT", "close ok"], "\(write)")
        let out = mount.readLines("out", pattern: "(5)")
        #expect(out.lines == ["(5)FALSE client not present"], "\(out)")

        // Through a zenka's cmd opened while it was there: it has gone when the line is written.
        let zenka = try TestZenka(name: "gone", cube: mount.cube)
        #expect(mount.waitListed("gone") != nil)
        let (opened, left, readerReady) = (mountFlag(), mountFlag(), mountFlag())
        defer { unlink(opened); unlink(left); unlink(readerReady) }
        let reader = mount.reader("zenki/gone/out", count: 1, pattern: "(6)", timeout: 8, ready: readerReady)
        let writer = MountChild.python(MountScripts.write,
                                       [mount.path("zenki/gone/cmd"), "@flag=\(opened)", "@wait=\(left)", "(6)heart\\n"])
        #expect(waitForFlag(opened) && waitForFlag(readerReady))
        zenka.stop()
        #expect(mount.waitListed("gone", present: false) != nil)
        raiseFlag(left)
        let late = writer.wait(timeout: 5)
        #expect(late.lines == ["write ENOENT", "close ok"], "\(late)")
        let falseLine = reader.wait(timeout: 10)
        #expect(falseLine.lines == ["(6)FALSE client not present"], "\(falseLine)")
    }

    @Test func anUnparsableLineFailsWithEINVALAndItsFalseLineShowsInOut() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let write = mount.write("cmd", ["(8)%%%\\n", "(9)whoami\\n"])
        #expect(write.lines == ["write EINVAL", "write ok 10", "close ok"], "\(write)")
        let out = mount.readLines("out", pattern: "(9)")
        #expect(out.lines.first == "(8)FALSE protocol mismatch", "\(out)")
        #expect(out.lines.count == 2 && out.lines[1].hasPrefix("(9)TRUE unix-root "), "\(out)")
        // A shell redirection reports the failure too (bash: dash's echo says only "I/O error").
        let shell = MountChild.run(["/bin/bash", "-c", "echo '(10)%%%' > \(shq(mount.path("cmd")))"])
        #expect(shell.status == 1 && shell.errors.contains("Invalid argument"), "\(shell)")
    }
}
