import CubeCore
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The network mounted for real by `cube run --mount DIR` (FILESYSTEM.md), driven only from
/// child processes (`ls`, `cat`, `sh -c 'echo … > …'`, python3 helpers). The test process
/// itself never touches the mount. One serialized suite (its tests are spread over the
/// `Mount*LiveTests.swift` files), so no two cubes mount at once.
@Suite(.serialized) struct MountLiveTests {
    // MARK: - The tree

    @Test func listingTheRootShowsReadmeStatusEventsCmdOutAskAndTheFiveDirectories() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let listing = mount.ls()
        #expect(listing.succeeded, "\(listing)")
        #expect(listing.lines.sorted()
            == ["README", "ask", "cmd", "events", "leases", "ledger", "metrics", "nodes", "offers", "out", "sessions",
                "status", "zenki"])
        let modes = MountChild.run(["/usr/bin/stat", "-c", "%A %n", mount.path("cmd"), mount.path("out"),
                                    mount.path("ask"), mount.path("zenki")])
        #expect(modes.lines == ["--w--w--w- \(mount.path("cmd"))", "-r--r--r-- \(mount.path("out"))",
                                "-rw-rw-rw- \(mount.path("ask"))", "dr-xr-xr-x \(mount.path("zenki"))"], "\(modes)")
        for directory in ["nodes", "offers", "leases", "zenki"] {
            let empty = mount.ls(directory)
            #expect(empty.succeeded && empty.lines.isEmpty, "\(directory): \(empty)")
        }
        let status = mount.cat("status")
        #expect(status.succeeded && status.lines.contains("node: testcube"), "\(status)")
        // The software's version next to the protocol's (issue 17).
        #expect(status.lines.contains("version: \(SoftwareVersion.number)"), "\(status)")
        #expect(status.lines.contains("protocol-version: NZXZDSA"), "\(status)")
    }

    @Test func aZenkaAppearsInZenkiWithinOneSecondOfLoggingInAndDisappearsWithinOneSecondOfLeaving() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        #expect(mount.names("zenki").isEmpty)
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        let appeared = mount.waitListed("calc", timeout: 3)
        #expect(appeared != nil && appeared! <= 1.0, "appeared after \(String(describing: appeared)) s")
        let inside = mount.ls("zenki/calc")
        #expect(inside.lines.sorted() == ["ask", "cmd", "info", "out", "sessions", "stats"], "\(inside)")
        // `stats` is what `stats calc` answers (docs/pooling.md "Stats").
        let stats = mount.cat("zenki/calc/stats")
        #expect(stats.succeeded && stats.lines.prefix(3) == ["zenka calc", "dispatch all", "instances 1"], "\(stats)")

        zenka.stop()
        // Both the listing and a lookup of the (kernel-cached) entry must forget it.
        let gone = mountWait(timeout: 3) {
            !mount.names("zenki").contains("calc")
                && MountChild.sh("test -e \(shq(mount.path("zenki/calc")))").status == 1
        }
        #expect(gone != nil && gone! <= 1.0, "disappeared after \(String(describing: gone)) s")
        print("mount: zenka listed \(ms(appeared)) after login, gone \(ms(gone)) after leaving")
    }

    @Test func sessionAndZenkaInfoFilesDescribeTheZenkaAndItsSession() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)

        let sessions = mount.cat("zenki/calc/sessions")
        #expect(sessions.succeeded && sessions.lines.count == 1, "\(sessions)")
        let sid = sessions.lines.first ?? "?"
        #expect(UInt64(sid) != nil, "session id '\(sid)'")

        let info = mount.cat("zenki/calc/info")
        #expect(info.succeeded, "\(info)")
        #expect(info.lines.contains("name: calc"), "\(info)")
        #expect(info.lines.contains("state: online"), "\(info)")
        #expect(info.lines.contains("sessions: \(sid)"), "\(info)")
        #expect(info.lines.contains { $0.hasPrefix("offers: ") }, "\(info)")

        #expect(mount.names("sessions").contains(sid))
        let inside = mount.ls("sessions/\(sid)")
        #expect(inside.lines.sorted() == ["ask", "cmd", "info", "out"], "\(inside)")
        let sessionInfo = mount.cat("sessions/\(sid)/info")
        #expect(sessionInfo.succeeded, "\(sessionInfo)")
        #expect(sessionInfo.lines.contains("sid: \(sid)"), "\(sessionInfo)")
        #expect(sessionInfo.lines.contains("user: calc"), "\(sessionInfo)")
        #expect(sessionInfo.lines.contains { $0.hasPrefix("transport: ") }, "\(sessionInfo)")

        // The session directory takes commands for exactly that session.
        #expect(mount.echo("(31) echo by-session", to: "sessions/\(sid)/cmd").succeeded)
        let reply = mount.readLines("sessions/\(sid)/out", pattern: "(31)")
        #expect(reply.succeeded && reply.lines.contains("(31)TRUE by-session"), "\(reply)")
    }

    @Test func eventsShowsJoinWithTheSessionIdWhenAZenkaLogsInAndLeaveWhenItLeaves() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let ready = mountFlag()
        defer { unlink(ready) }
        let events = mount.reader("events", count: 2, pattern: " evt ", timeout: 6, ready: ready)
        #expect(waitForFlag(ready))
        let zenka = try TestZenka(name: "evt", cube: mount.cube)
        #expect(mount.waitListed("evt") != nil)
        let sid = mount.cat("zenki/evt/sessions").lines.first ?? "?"
        zenka.stop()
        let seen = events.wait(timeout: 8)
        #expect(seen.succeeded, "\(seen)")
        #expect(seen.lines.filter { $0.contains(" evt ") } == ["join evt \(sid)", "leave evt \(sid)"], "\(seen)")
    }
}

/// Milliseconds for printing.
func ms(_ seconds: Double?) -> String {
    seconds.map { String(format: "%.0f ms", $0 * 1000) } ?? "never"
}
