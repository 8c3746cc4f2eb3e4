import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The manager (zenka `v7`) with real child processes: list, status, start, start_once, stop,
/// restart, instances, the environment contract, stdio round trips, log capture, shutdown.
@Suite(.serialized) struct ManagerLifecycleLiveTests {
    /// A stdio shell zenka `sh1`, restarting fast.
    static let shell = ManagerZenka(name: "sh1", conf: """
        program = /bin/sh
        args = echo.sh
        mode = stdio
        restart = always
        restart.backoff = 0.1
        stop-timeout = 1
        """, files: ["echo.sh": ManagerScripts.stdioEcho])

    /// ``shell`` and the sample `@echo` as `ech`, both restarting fast.
    static func lifecycleCube() throws -> ManagerCube {
        try ManagerCube(zenki: [
            shell,
            ManagerZenka(name: "ech", conf: """
                program = @echo
                restart = always
                restart.backoff = 0.1
                stop-timeout = 1
                """),
        ])
    }

    @Test func listAndStatusShowRunningChildren() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        let sh1 = try #require(admin.waitOnline("sh1"))
        let ech = try #require(admin.waitOnline("ech"))
        let list = admin.list()
        #expect(list.map(\.zenka) == ["ech", "sh1"])
        #expect(list.first { $0.zenka == "ech" }.map { [$0.mode, $0.start, $0.state, String($0.running)] }
            == ["sdk", "always", "online", "1"])
        #expect(list.first { $0.zenka == "sh1" }.map { [$0.mode, $0.start, $0.state, String($0.running)] }
            == ["stdio", "always", "online", "1"])
        // Real processes, each the leader of its own process group.
        for row in [sh1, ech] {
            #expect(ManagerProcesses.isAlive(row.pid))
            #expect(ManagerProcesses.stat(row.pid)?.group == row.pid)
            #expect(row.session != "-")
            #expect(Int(row.instance) != nil)
        }
        // status filters by name and by instance id.
        #expect(admin.status("sh1").map(\.instance) == [sh1.instance])
        #expect(admin.status(ech.instance).map(\.zenka) == ["ech"])
        // Both answer through the cube; the stdio zenka is the pid the manager reports.
        #expect(admin.call("sh1.pid")?.line == "TRUE \(sh1.pid)")
        #expect(admin.call("ech.echo hello there")?.line == "TRUE hello there")
        #expect(admin.call("v7.bogus")?.line == "FALSE command does not exist")
    }

    /// A zenka gets stdin, stdout and stderr and nothing else of the cube's: a copy of a
    /// listener, a session or a link socket would keep it open after the cube died (the port
    /// stays bound, linked nodes never see the link drop).
    @Test func zenkiInheritNoSocketsOfTheCube() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("sh1"))
        _ = try #require(admin.waitOnline("ech"))
        // Restarted after sessions exist, so there is more to leak than the listeners.
        #expect(admin.call("v7.restart sh1")?.line.hasPrefix("TRUE") == true)
        _ = try #require(admin.waitOnline("sh1"))
        #expect(admin.call("sh1.sockets")?.line == "TRUE 0")
    }

    @Test func stopEndsTheChildAndDoesNotRestartIt() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        let sh1 = try #require(admin.waitOnline("sh1"))
        let ech = try #require(admin.waitOnline("ech"))
        #expect(admin.call("v7.stop sh1")?.line == "TRUE shutting down 1 zenka instance(s)")
        #expect(eventually(timeout: 3) { !ManagerProcesses.isAlive(sh1.pid) && admin.status("sh1").isEmpty })
        #expect(ManagerProcesses.group(sh1.pid).isEmpty)
        // Far longer than the 0.1 s backoff: still stopped.
        usleep(800_000)
        #expect(admin.status("sh1").isEmpty)
        #expect(admin.list().first { $0.zenka == "sh1" }?.state == "stopped")
        #expect(admin.call("sh1.echo x")?.line == "FALSE client not present")
        // A second stop finds nothing running; the other zenka was not touched.
        #expect(admin.call("v7.stop sh1")?.line == "FALSE there is no zenka matching 'sh1' running")
        #expect(admin.instance(of: "ech")?.pid == ech.pid)
        // Stopping the SDK zenka works the same way.
        #expect(admin.call("v7.stop ech")?.line == "TRUE shutting down 1 zenka instance(s)")
        #expect(eventually(timeout: 3) { !ManagerProcesses.isAlive(ech.pid) })
        usleep(500_000)
        #expect(admin.status().isEmpty)
        #expect(admin.call("ech.echo x")?.line == "FALSE client not present")
    }

    @Test func startAfterStopRunsANewChild() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        let first = try #require(admin.waitOnline("sh1"))
        let firstEcho = try #require(admin.waitOnline("ech"))
        #expect(admin.call("v7.stop sh1 ech")?.line == "TRUE shutting down 2 zenka instance(s)")
        #expect(eventually(timeout: 3) { admin.status().isEmpty })
        let started = admin.call("v7.start sh1")
        #expect(started?.isTrue == true)
        #expect(started?.text.hasPrefix("zenka 'sh1' starting [ instance ") == true)
        let second = try #require(admin.waitOnline("sh1", excluding: first.pid))
        #expect(started?.text == "zenka 'sh1' starting [ instance \(second.instance) ]")
        #expect(second.instance != first.instance)
        #expect(admin.call("sh1.echo back again")?.line == "TRUE back again")
        #expect(admin.call("sh1.pid")?.line == "TRUE \(second.pid)")
        // start_once on a stopped zenka starts it too.
        #expect(admin.call("v7.start_once ech")?.text.hasPrefix("zenka 'ech' starting [ instance ") == true)
        _ = try #require(admin.waitOnline("ech", excluding: firstEcho.pid))
        #expect(admin.call("ech.echo sdk is back")?.line == "TRUE sdk is back")
        #expect(admin.list().allSatisfy { $0.state == "online" })
    }

    @Test func startOnceAndStartOnARunningZenka() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        let sh1 = try #require(admin.waitOnline("sh1"))
        #expect(admin.call("v7.start_once sh1")?.line
            == "TRUE zenka 'sh1' already running [ 'start-once' mode ] [ instance \(sh1.instance) ]")
        // instances = 1 (the default): a second start is refused.
        #expect(admin.call("v7.start sh1")?.line == "FALSE reached configured maximum concurrency for zenka 'sh1' [ 1 ]")
        usleep(300_000)
        #expect(admin.status("sh1").map(\.pid) == [sh1.pid])
        #expect(admin.call("v7.start nosuch")?.line == "FALSE zenka nosuch not found in start set-up ..,")
        #expect(admin.call("v7.start_once nosuch")?.line == "FALSE zenka nosuch not found in start set-up ..,")
        #expect(admin.call("v7.stop nosuch")?.line == "FALSE zenka 'nosuch' not in set-up [ see 'v7.list' ]")
        #expect(admin.call("v7.restart nosuch")?.line == "FALSE there is no zenka matching 'nosuch' running")
        #expect(admin.call("v7.start")?.line == "FALSE zenka name expected")
    }

    @Test func restartReplacesTheChildProcess() throws {
        let cube = try Self.lifecycleCube()
        let admin = try cube.client()
        let sh1 = try #require(admin.waitOnline("sh1"))
        let ech = try #require(admin.waitOnline("ech"))
        #expect(admin.call("v7.restart sh1")?.line == "TRUE restarting 1 zenka instance(s) .,")
        let newSh1 = try #require(admin.waitOnline("sh1", excluding: sh1.pid))
        #expect(!ManagerProcesses.isAlive(sh1.pid))
        #expect(newSh1.instance != sh1.instance)
        #expect(newSh1.restarts == 1)
        #expect(admin.call("sh1.pid")?.line == "TRUE \(newSh1.pid)")
        // By instance id, for the SDK zenka: it logs in again with a fresh key.
        #expect(admin.call("v7.restart \(ech.instance)")?.line == "TRUE restarting 1 zenka instance(s) .,")
        let newEch = try #require(admin.waitOnline("ech", excluding: ech.pid))
        #expect(!ManagerProcesses.isAlive(ech.pid))
        #expect(newEch.session != ech.session)
        #expect(admin.call("ech.echo restarted")?.line == "TRUE restarted")
        // A restart is not a stop: the zenka stays supervised.
        #expect(admin.list().allSatisfy { $0.state == "online" && $0.running == 1 })
    }

    @Test func instancesLimitAndStopByInstanceId() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "multi", conf: """
                program = /bin/sh
                args = echo.sh
                mode = stdio
                instances = 2
                restart = always
                restart.backoff = 0.1
                """, files: ["echo.sh": ManagerScripts.stdioEcho]),
        ])
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("multi"))
        #expect(admin.call("v7.start multi")?.text.hasPrefix("zenka 'multi' starting [ instance ") == true)
        #expect(admin.call("v7.start multi")?.line == "FALSE reached configured maximum concurrency for zenka 'multi' [ 2 ]")
        #expect(eventually(timeout: 3) { admin.status("multi").filter { $0.state == "online" }.count == 2 })
        let rows = admin.status("multi")
        // A name addresses every instance: two replies under one id.
        admin.send("(7)multi.echo both\n")
        #expect(admin.reply(id: 7)?.line == "TRUE both")
        #expect(admin.reply(id: 7)?.line == "TRUE both")
        let victim = try #require(rows.first)
        #expect(admin.call("v7.stop \(victim.instance)")?.line == "TRUE shutting down 1 zenka instance(s)")
        #expect(eventually(timeout: 3) { admin.status("multi").map(\.instance) == [rows[1].instance] })
        #expect(!ManagerProcesses.isAlive(victim.pid))
        #expect(ManagerProcesses.isAlive(rows[1].pid))
    }

    @Test func environmentContractAndWorkingDirectory() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "envy", conf: """
                program = \(ManagerScripts.python)
                args = -u envy.py
                env.ZENKA_TEST_VARIABLE = forty-two
                restart = never
                """, files: ["envy.py": ManagerScripts.environmentReport, "data.txt": "travels with the zenka\n"]),
        ])
        let admin = try cube.client()
        let row = try #require(admin.waitOnline("envy"))
        let directory = cube.zenkaDirectory("envy")
        let text = try String(contentsOfFile: directory + "/env.txt", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equal = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equal])] = String(line[line.index(after: equal)...])
        }
        #expect(values["PROTOCOL_7_UNIX_PATH"] == cube.socketPath)
        #expect(values["PROTOCOL_7_ZENKA_NAME"] == "envy")
        #expect(values["PROTOCOL_7_INSTANCE"] == row.instance)
        #expect(values["ZENKA_TEST_VARIABLE"] == "forty-two")
        #expect(values["cwd"] == directory)
        #expect(values["pid"] == String(row.pid))
        // Its own session and process group.
        #expect(values["sid"] == String(row.pid) && values["pgid"] == String(row.pid))
        #expect(values["PROTOCOL_7_ZENKA_KEY_FILE"] == directory + "/.zenka-key")
        #expect(values["keyfile.mode"] == "600")
        let key = try #require(values["PROTOCOL_7_ZENKA_KEY"])
        #expect(key.count >= 20)
        #expect(values["keyfile.key"] != key)
        // The other files of its configuration directory were copied into its working dir.
        #expect((try? String(contentsOfFile: directory + "/data.txt", encoding: .utf8)) == "travels with the zenka\n")
        #expect(admin.call("envy.whereami")?.line == "TRUE \(directory)")
        // The key from the environment worked once and never again.
        let replay = try RawSocket(path: cube.socketPath)
        _ = replay.read(count: 32)
        replay.send("select zenka\nenvy \(key)\n")
        #expect(replay.read(until: ">:|\n", timeout: 3) == "TRUE continue\nAUTH_ERROR `>:|\n")
        // The key file holds a registered key, for a reconnect.
        let fileKey = try #require(values["keyfile.key"])
        let reconnect = try RawSocket(path: cube.socketPath)
        _ = reconnect.read(count: 32)
        reconnect.send("select zenka\nenvy[again] \(fileKey)\n")
        #expect(reconnect.read(until: "=)\n", timeout: 3) == "TRUE continue\nAUTH_TRUE =)\n")
    }

    @Test func childOutputIsCapturedInTheCubeLog() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "sh1", conf: """
                program = /bin/sh
                args = echo.sh
                mode = stdio
                """, files: ["echo.sh": ManagerScripts.stdioEcho]),
            ManagerZenka(name: "crashy", conf: """
                program = /bin/sh
                args = crash.sh
                restart = never
                """, files: ["crash.sh": ManagerScripts.crashAtStart]),
        ])
        let admin = try cube.client()
        let sh1 = try #require(admin.waitOnline("sh1"))
        // stderr of a stdio zenka, stdout and stderr of a plain child.
        #expect(eventually(timeout: 3) { !cube.logLines(containing: "zenka=sh1", "started \(sh1.pid)").isEmpty })
        #expect(eventually(timeout: 3) { !cube.logLines(containing: "zenka=crashy", "crashing on purpose").isEmpty })
        #expect(eventually(timeout: 3) { admin.list().first { $0.zenka == "crashy" }?.lastExit == "exit 1" })
    }

    @Test func aLineWrittenInTwoPiecesIsOneLogLine() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "split", conf: """
                program = /bin/sh
                args = split.sh
                restart = never
                """, files: ["split.sh": ManagerScripts.splitLine]),
        ])
        #expect(eventually(timeout: 3) { cube.log.contains("second-half") })
        let lines = cube.logLines(containing: "zenka=split").filter { $0.contains("half") }
        #expect(lines.count == 1, "child stderr lines are split at read boundaries: \(lines)")
        #expect(lines.first?.hasSuffix("split-line-first-half-second-half") == true)
    }

    @Test func stdioZenkaRoundTrip() throws {
        // The example shipped in configuration/zenki/hello-sh, unchanged.
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configuration/zenki/hello-sh")
        let script = try String(contentsOf: example.appendingPathComponent("hello.sh"), encoding: .utf8)
        let conf = try String(contentsOf: example.appendingPathComponent("zenka.conf"), encoding: .utf8)
        let cube = try ManagerCube(zenki: [ManagerZenka(name: "hello-sh", conf: conf, files: ["hello.sh": script])])
        let admin = try cube.client()
        let row = try #require(admin.waitOnline("hello-sh"))
        #expect(admin.list().first?.mode == "stdio")
        #expect(admin.call("hello-sh.hello Bob")?.line == "TRUE hello Bob, from a shell zenka")
        #expect(admin.call("hello-sh.hello")?.line == "TRUE hello world, from a shell zenka")
        #expect(admin.call("hello-sh.nope")?.line == "FALSE command does not exist")
        let heart = admin.call("hello-sh.heart")
        #expect(heart?.text.hasPrefix("beating [ ") == true)
        // Pipelined commands from two clients, interleaved: each reply under its own id.
        let other = try cube.client("taeki")
        var batch = ""
        for index in 1...20 { batch += "(\(index))hello-sh.hello n\(index)\n" }
        admin.send(batch)
        other.send(batch)
        for index in 1...20 {
            #expect(admin.reply(id: UInt64(index))?.line == "TRUE hello n\(index), from a shell zenka")
            #expect(other.reply(id: UInt64(index))?.line == "TRUE hello n\(index), from a shell zenka")
        }
        // The child really is the one in the status table, and the cube logged in for it.
        #expect(ManagerProcesses.isAlive(row.pid))
        #expect(admin.call("whoami")?.isTrue == true)
        let sessions = admin.call("list sessions")
        #expect(sessions?.body.contains("hello-sh") == true)
    }
}
