import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// On-demand zenki (`start = ondemand`, docs/protocol.md §6): commands wait while the manager
/// starts the zenka, then drain to it; a failed start answers each with its own FALSE.
@Suite(.serialized) struct ManagerOnDemandLiveTests {
    @Test func queuedCommandsDrainOnceTheZenkaLogsIn() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "od", conf: """
                program = @echo
                start = ondemand
                restart = on-failure
                """),
        ])
        let admin = try cube.client()
        let other = try cube.client("taeki")
        // Not started with the cube.
        usleep(300_000)
        #expect(admin.status().isEmpty)
        #expect(admin.list().first.map { [$0.start, $0.state, String($0.running)] } == ["ondemand", "offline", "0"])
        #expect(cube.zenkaProcesses().isEmpty)
        admin.send("(1)od.echo first\n(2)od.echo second\n(3)od.echo third\n")
        other.send("(9)od.echo from another client\n")
        #expect(admin.reply(id: 1, timeout: 8)?.line == "TRUE first")
        #expect(admin.reply(id: 2)?.line == "TRUE second")
        #expect(admin.reply(id: 3)?.line == "TRUE third")
        #expect(other.reply(id: 9)?.line == "TRUE from another client")
        #expect(admin.others.isEmpty, "unexpected: \(admin.others)")
        // Started exactly once, and now it answers directly.
        #expect(admin.status("od").count == 1)
        #expect(cube.logLines(containing: "zenka=od", "zenka started").count == 1)
        #expect(admin.call("od.echo direct")?.line == "TRUE direct")
    }

    @Test func queuedCommandsDrainToAStdioZenka() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "ods", conf: """
                program = /bin/sh
                args = echo.sh
                mode = stdio
                start = ondemand
                """, files: ["echo.sh": ManagerScripts.stdioEcho]),
        ])
        let admin = try cube.client()
        admin.send("(1)ods.echo a\n(2)ods.echo b\n(3)ods.echo c\n")
        #expect(admin.reply(id: 1, timeout: 8)?.line == "TRUE a")
        #expect(admin.reply(id: 2)?.line == "TRUE b")
        #expect(admin.reply(id: 3)?.line == "TRUE c")
        #expect(admin.status("ods").count == 1)
    }

    @Test func startFailureOfAMissingProgramAnswersEveryQueuedCommand() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "ghost", conf: """
                program = /nonexistent/zenka-program
                start = ondemand
                restart.backoff = 0.1
                """),
        ])
        let admin = try cube.client()
        admin.send("(1)ghost.echo a\n(2)ghost.echo b\n(3)ghost.heart\n")
        #expect(admin.reply(id: 1)?.line == "FALSE client not present")
        #expect(admin.reply(id: 2)?.line == "FALSE client not present")
        #expect(admin.reply(id: 3)?.line == "FALSE client not present")
        // The next command tries again and fails the same way, it does not hang.
        #expect(admin.call("ghost.echo again")?.line == "FALSE client not present")
        #expect(admin.call("v7.start ghost")?.keyword == "FALSE")
    }

    @Test func startFailureOfAProgramThatExitsAtOnceAnswersEveryQueuedCommand() throws {
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "quitter", conf: """
                program = /bin/sh
                args = crash.sh
                start = ondemand
                restart = never
                """, files: ["crash.sh": ManagerScripts.crashAtStart]),
        ])
        let admin = try cube.client()
        admin.send("(1)quitter.echo a\n(2)quitter.echo b\n(3)quitter.echo c\n")
        #expect(admin.reply(id: 1)?.line == "FALSE client not present")
        #expect(admin.reply(id: 2)?.line == "FALSE client not present")
        #expect(admin.reply(id: 3)?.line == "FALSE client not present")
        #expect(admin.call("quitter.echo again")?.line == "FALSE client not present")
        #expect(admin.list().first?.lastExit == "exit 1")
    }

    @Test func failedOnDemandStartIsNotRetriedWithoutDemand() throws {
        // On-demand means: started when a command arrives. After a failed start nobody waits,
        // so the manager must not keep starting it on its own.
        let cube = try ManagerCube(zenki: [
            ManagerZenka(name: "quitter", conf: """
                program = /bin/sh
                args = crash.sh
                start = ondemand
                restart = always
                restart.backoff = 0.1
                """, files: ["crash.sh": ManagerScripts.crashAtStart]),
            ManagerZenka(name: "ghost", conf: """
                program = /nonexistent/zenka-program
                start = ondemand
                restart.backoff = 0.1
                """),
        ])
        let admin = try cube.client()
        admin.send("(1)quitter.echo a\n(2)ghost.echo b\n")
        #expect(admin.reply(id: 1)?.line == "FALSE client not present")
        #expect(admin.reply(id: 2)?.line == "FALSE client not present")
        usleep(2_000_000)
        let quitterStarts = ((try? String(contentsOfFile: cube.zenkaDirectory("quitter") + "/starts.txt", encoding: .utf8)) ?? "")
            .split(separator: "\n").count
        #expect(quitterStarts == 1, "on-demand zenka started \(quitterStarts) times after one command")
        let ghostAttempts = cube.logLines(containing: "zenka=ghost", "failed to start").count
        #expect(ghostAttempts == 1, "on-demand start attempted \(ghostAttempts) times after one command")
    }
}
