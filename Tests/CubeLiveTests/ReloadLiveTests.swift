import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reloading a running cube (docs/configuration.md "Reload"): SIGHUP and `cube reload` apply an
/// edited configuration while clients stay connected; an invalid one is refused with file and
/// line and the running one kept.
@Suite(.serialized) struct ReloadLiveTests {
    /// `taeki` (unix root may log in as taeki) may call `one` but not `two`; admins may do all.
    static let configuration = """
        node.name = testcube
        auth.setup.usr.taeki = :unix:root
        access.cmd.usr.unix-root = **
        access.cmd.usr.v7 = **
        access.cmd.usr.taeki = whoami one.*
        timeouts.route = 20
        """

    static func stdioZenka(_ name: String) -> ManagerZenka {
        ManagerZenka(name: name, conf: """
            program = /bin/sh
            args = echo.sh
            mode = stdio
            restart.backoff = 0.1
            stop-timeout = 1
            """, files: ["echo.sh": ManagerScripts.stdioEcho])
    }

    /// Writes `zenki/<name>/` into the cube's configuration directory.
    static func add(_ zenka: ManagerZenka, to cube: ManagerCube) throws {
        try ManagerCube.write(zenka, into: cube.configDirectory)
    }

    static func writeConfiguration(_ text: String, of cube: ManagerCube) throws {
        try (text + "\n").write(toFile: cube.configDirectory + "/cube.conf", atomically: true, encoding: .utf8)
    }

    /// Waits for the `n`th "configuration reloaded" or "configuration refused" log line.
    static func waitForReload(_ cube: ManagerCube, count: Int) -> Bool {
        eventually(timeout: 10) {
            cube.logLines(containing: "configuration reloaded").count + cube.logLines(containing: "configuration refused").count
                >= count
        }
    }

    static func reload(_ cube: ManagerCube) throws -> ExecutableRun {
        try ExecutableRun.run(Binaries.cube, ["reload", "--socket", cube.socketPath])
    }

    @Test func hangUpStartsANewZenkaAndChangesAccessWhileAClientStaysConnected() throws {
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one")], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let one = try #require(admin.waitOnline("one"))
        let client = try cube.client("taeki")
        let whoami = try #require(client.call("whoami"))
        #expect(client.call("one.echo before")?.line == "TRUE before")
        #expect(client.call("two.echo before")?.line == "FALSE command not known or no permission for 'two.echo'")

        // The edit: a new zenka `two`; taeki may call two and no longer one.
        try Self.add(Self.stdioZenka("two"), to: cube)
        try Self.writeConfiguration(Self.configuration.replacingOccurrences(
            of: "access.cmd.usr.taeki = whoami one.*", with: "access.cmd.usr.taeki = whoami two.*"), of: cube)
        #expect(kill(cube.process.processIdentifier, SIGHUP) == 0)
        #expect(Self.waitForReload(cube, count: 1), "\(cube.log)")
        let two = try #require(admin.waitOnline("two"), "\(cube.log)")

        // The same session, still working, under the new rules.
        #expect(client.call("whoami")?.line == whoami.line)
        #expect(client.call("two.echo after")?.line == "TRUE after")
        #expect(client.call("one.echo after")?.line == "FALSE command not known or no permission for 'one.echo'")
        // `one` did not change: the same process runs it.
        #expect(admin.instance(of: "one")?.pid == one.pid)
        #expect(two.pid != one.pid)
        #expect(cube.process.isRunning)
        #expect(!cube.logLines(containing: "reload: access.cmd.usr.taeki changed: whoami one.* -> whoami two.*").isEmpty,
                "\(cube.log)")
        #expect(!cube.logLines(containing: "reload: zenka two added, starting").isEmpty, "\(cube.log)")
    }

    @Test func changedZenkaRestartsAndRemovedZenkaStops() throws {
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one"), Self.stdioZenka("two")],
                                   baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let one = try #require(admin.waitOnline("one"))
        let two = try #require(admin.waitOnline("two"))
        var changed = Self.stdioZenka("one")
        changed.conf += "\nenv.GREETING = changed\n"
        try Self.add(changed, to: cube)
        try FileManager.default.removeItem(atPath: cube.configDirectory + "/zenki/two")
        let run = try Self.reload(cube)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("zenka one changed, 1 instance(s) restarting"), "\(run.stdout)")
        #expect(run.stdout.contains("zenka two removed, 1 instance(s) stopped"), "\(run.stdout)")
        let restarted = try #require(admin.waitOnline("one", excluding: one.pid), "\(cube.log)")
        #expect(restarted.pid != one.pid)
        #expect(eventually(timeout: 5) { !ManagerProcesses.isAlive(two.pid) })
        #expect(eventually(timeout: 5) { admin.status("two").isEmpty })
        #expect(admin.list().map(\.zenka) == ["one"])
        #expect(admin.call("one.echo still here")?.line == "TRUE still here")
    }

    /// A zenka removed while its instance stops for a restart, and added back before that
    /// instance exits, runs one instance: the removal called the restart off (before, a second
    /// reader's finding, the old process came back beside the new one when `instances.max`
    /// left room).
    @Test func aZenkaRemovedWhileRestartingAndAddedBackRunsOneInstance() throws {
        let (cube, admin, slow) = try Self.slowZenkaRestarting()
        try FileManager.default.removeItem(atPath: cube.configDirectory + "/zenki/slow")
        let removed = try Self.reload(cube)
        #expect(removed.stdout.contains("zenka slow removed, 1 instance(s) stopped"), "\(removed.stdout)")
        try Self.add(slow, to: cube)
        let added = try Self.reload(cube)
        #expect(added.stdout.contains("zenka slow added"), "\(added.stdout)")
        // The old process has exited 1.5 s after its SIGTERM; the new one runs alone.
        Thread.sleep(forTimeInterval: 3)
        let rows = admin.status("slow")
        #expect(rows.count == 1 && rows.first?.state == "online", "\(rows)")
    }

    /// A zenka changed while its one instance stops for a restart (`instances.min = 1`) is not
    /// started once more: that instance comes back by itself with the new definition (before,
    /// a second reader's finding, the reload counted it out and started a second one).
    @Test func aZenkaChangedWhileRestartingRunsOneInstance() throws {
        let (cube, admin, slow) = try Self.slowZenkaRestarting()
        var changed = slow
        changed.conf += "\nenv.GREETING = changed\n"
        try Self.add(changed, to: cube)
        let run = try Self.reload(cube)
        #expect(run.stdout.contains("zenka slow changed"), "\(run.stdout)")
        #expect(!run.stdout.contains("starting"), "\(run.stdout)")
        Thread.sleep(forTimeInterval: 3)
        let rows = admin.status("slow")
        #expect(rows.count == 1 && rows.first?.state == "online", "\(rows)")
    }

    /// A cube running `slow`, a balanced stdio zenka (one to two instances) that takes 1.5 s
    /// to stop after SIGTERM, once its instance is online and `v7.restart` has begun stopping it.
    static func slowZenkaRestarting() throws -> (ManagerCube, ManagerClient, ManagerZenka) {
        let slow = ManagerZenka(name: "slow", conf: """
            program = /bin/sh
            args = slow.sh
            mode = stdio
            heartbeat = 0
            dispatch = balanced
            instances.min = 1
            instances.max = 2
            stop-timeout = 5
            """, files: ["slow.sh": ManagerScripts.stopsAfter("1.5")])
        let cube = try ManagerCube(zenki: [slow], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        #expect(eventually(timeout: 10) { admin.status("slow").first?.state == "online" }, "\(admin.status())")
        #expect(admin.call("v7.restart slow")?.isTrue == true)
        return (cube, admin, slow)
    }

    /// A raised `instances.min` starts the missing instances on SIGHUP (not just one) beside the
    /// one running, which is not restarted (a pooling key applies live), a zenka added with
    /// `instances.min = 2` starts two, and one changed to `instances.min = 0` is left to start
    /// on demand.
    @Test func hangUpStartsInstancesUpToTheNewMinimum() throws {
        func pool(_ name: String, minimum: Int) -> ManagerZenka {
            var zenka = Self.stdioZenka(name)
            zenka.conf += "\ndispatch = balanced\ninstances.max = 4\ninstances.min = \(minimum)\n"
            return zenka
        }
        let cube = try ManagerCube(zenki: [pool("one", minimum: 1), pool("three", minimum: 1)],
                                   baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let first = try #require(admin.waitOnline("one"))
        _ = try #require(admin.waitOnline("three"))
        try Self.add(pool("one", minimum: 3), to: cube)
        try Self.add(pool("two", minimum: 2), to: cube)
        try Self.add(pool("three", minimum: 0), to: cube)
        #expect(kill(cube.process.processIdentifier, SIGHUP) == 0)
        #expect(Self.waitForReload(cube, count: 1), "\(cube.log)")
        #expect(!cube.logLines(containing: "reload: zenka one changed, applied live, 2 more starting").isEmpty,
                "\(cube.log)")
        #expect(!cube.logLines(containing: "reload: zenka two added, starting 2 instances").isEmpty, "\(cube.log)")
        #expect(!cube.logLines(containing: "reload: zenka three changed, applied live").isEmpty, "\(cube.log)")
        let online = { (name: String) in admin.status(name).filter { $0.state == "online" }.count }
        #expect(eventually(timeout: 15) { online("one") == 3 && online("two") == 2 }, "\(admin.status())")
        #expect(admin.status("one").contains { $0.pid == first.pid }, "the first instance restarted: \(admin.status("one"))")
        // `three` (now instances.min = 0) is registered on demand: a command still reaches it.
        #expect(admin.call("three.echo on demand", timeout: 10)?.line == "TRUE on demand", "\(cube.log)")
    }

    /// Raising `instances.max` and changing the scaling and supervision figures of a busy
    /// zenka restarts nothing: the processes keep running and the new figures apply (before,
    /// every instance was restarted, answers in flight lost with them); a change of its
    /// program's environment still restarts it.
    @Test func poolingAndSupervisionKeysApplyWithoutARestart() throws {
        var pool = Self.stdioZenka("pool")
        pool.conf += "\ndispatch = balanced\ninstances.max = 2\n"
        let cube = try ManagerCube(zenki: [pool], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let first = try #require(admin.waitOnline("pool"))
        var raised = pool
        raised.conf += "instances.max = 6\nscale.target = 8\nscale.up-after = 5\nstop-timeout = 3\nheartbeat = 20\n"
        try Self.add(raised, to: cube)
        let run = try Self.reload(cube)
        #expect(run.stdout.contains("zenka pool changed, applied live"), "\(run.stdout)")
        #expect(!run.stdout.contains("restarting"), "\(run.stdout)")
        Thread.sleep(forTimeInterval: 1)
        #expect(admin.status("pool").map(\.pid) == [first.pid], "\(admin.status())")
        #expect(admin.call("pool.echo still here")?.line == "TRUE still here")
        // A comment edited in zenka.conf is no change at all.
        var commented = raised
        commented.conf += "# a note for the operators\n"
        try Self.add(commented, to: cube)
        let quiet = try Self.reload(cube)
        #expect(quiet.status == 0 && !quiet.stdout.contains("zenka pool"), "\(quiet.stdout)")
        var changed = raised
        changed.conf += "env.GREETING = changed\n"
        try Self.add(changed, to: cube)
        let again = try Self.reload(cube)
        #expect(again.stdout.contains("zenka pool changed, 1 instance(s) restarting"), "\(again.stdout)")
        #expect(admin.waitOnline("pool", excluding: first.pid) != nil, "\(cube.log)")
    }

    /// A fixed count lowered by a reload comes down, and only the surplus goes: of a fan-out
    /// zenka the newest instances stop, the oldest keeps running (a second reader's finding:
    /// applied live, three copies kept answering every command; then every instance was
    /// restarted and only as many came back).
    @Test func aFixedCountLoweredByAReloadComesDown() throws {
        func fan(_ count: Int) -> ManagerZenka {
            var zenka = Self.stdioZenka("fan")
            zenka.conf += "\ninstances.min = \(count)\ninstances.max = \(count)\n"
            return zenka
        }
        let cube = try ManagerCube(zenki: [fan(1)], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let online = { admin.status("fan").filter { $0.state == "online" }.count }
        let oldest = try #require(admin.waitOnline("fan"))
        try Self.add(fan(3), to: cube)
        #expect(try Self.reload(cube).stdout.contains("zenka fan changed, applied live, 2 more starting"))
        #expect(eventually(timeout: 10) { online() == 3 }, "\(admin.status())")
        try Self.add(fan(1), to: cube)
        let run = try Self.reload(cube)
        #expect(run.stdout.contains("zenka fan changed, applied live, 2 instance(s) stopping"), "\(run.stdout)")
        #expect(eventually(timeout: 10) { admin.status("fan").count == 1 && online() == 1 }, "\(admin.status())")
        #expect(admin.status("fan").first?.pid == oldest.pid, "\(admin.status())")
    }

    /// A balanced zenka's `instances.max` lowered under load: the surplus is drained, not
    /// restarted. Each of three instances holds a 4 s command; two are drained and keep
    /// running until they have answered, every command gets its answer from the instance it
    /// went to, and the third instance keeps taking commands, also after a second reload
    /// while the two still drain (a second reader's finding: they were counted again, and
    /// that reload drained the third as well).
    @Test func aBalancedCountLoweredUnderLoadDrainsTheSurplus() throws {
        var three = Self.stdioZenka("work")
        three.conf += "\ndispatch = balanced\ninstances.min = 3\ninstances.max = 3\n"
        let cube = try ManagerCube(zenki: [three], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        let online = { admin.status("work").filter { $0.state == "online" }.count }
        #expect(eventually(timeout: 10) { online() == 3 }, "\(admin.status())")
        let pids = Set(admin.status("work").map(\.pid))
        let client = try cube.client()
        for id in 1...3 { client.send("(\(id))work.sleep 4\n") }
        // All three taken (one command each): a restart would cut them short.
        Thread.sleep(forTimeInterval: 0.5)
        var one = Self.stdioZenka("work")
        one.conf += "\ndispatch = balanced\ninstances.min = 1\ninstances.max = 1\n"
        try Self.add(one, to: cube)
        let run = try Self.reload(cube)
        #expect(run.stdout.contains("zenka work changed, applied live, 2 instance(s) draining"), "\(run.stdout)")
        #expect(Set(admin.status("work").map(\.pid)) == pids, "the drained ones run on while busy: \(admin.status())")
        one.conf += "stop-timeout = 2\n"
        try Self.add(one, to: cube)
        let again = try Self.reload(cube)
        #expect(again.stdout.contains("zenka work changed, applied live\n"), "\(again.stdout)")
        #expect(client.call("work.echo during")?.line == "TRUE during")
        var answered: Set<Int32> = []
        for id in 1...3 {
            let reply = client.reply(id: UInt64(id), timeout: 5)
            #expect(reply?.line.hasPrefix("TRUE ") == true, "\(String(describing: reply))")
            if let pid = reply.flatMap({ Int32($0.line.dropFirst(5)) }) { answered.insert(pid) }
        }
        #expect(answered == pids, "each instance answered its own command: \(answered) against \(pids)")
        #expect(eventually(timeout: 10) { admin.status("work").count == 1 && online() == 1 }, "\(admin.status())")
        let left = try #require(admin.status("work").first)
        #expect(pids.contains(left.pid), "the one left is one of the three, not restarted")
        #expect(client.call("work.echo still")?.line == "TRUE still")
    }

    /// An instance serving another's compute lease that a reload restarts comes back serving
    /// it: restarted as one of the node's own, it met `instances.max` and was not started, so
    /// the lease lost its instance (a reviewer's finding).
    @Test func aServedInstanceRestartedByAReloadStaysServed() throws {
        var work = Self.stdioZenka("work")
        work.conf += "\ndispatch = balanced\ninstances.min = 1\ninstances.max = 1\n"
        let cube = try ManagerCube(zenki: [work], extraConfiguration: "node.compute.slots = 1\nnode.compute.runs = work\n",
                                   baseConfiguration: Self.configuration)
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("work"))
        #expect(eventually(timeout: 10) { admin.call("offers compute")?.rows.isEmpty == false })
        let offer = try #require(admin.call("offers compute")?.rows.first?.first)
        #expect(admin.call("acquire \(offer) 1 600 run work")?.isTrue == true)
        let online = { admin.status("work").filter { $0.state == "online" }.count }
        #expect(eventually(timeout: 10) { online() == 2 }, "\(admin.status())")
        let before = Set(admin.status("work").map(\.pid))
        // A change of what runs (its environment): a pooling or supervision key would apply live.
        work.conf += "env.GREETING = changed\n"
        try Self.add(work, to: cube)
        #expect(kill(cube.process.processIdentifier, SIGHUP) == 0)
        #expect(Self.waitForReload(cube, count: 1), "\(cube.log)")
        #expect(eventually(timeout: 15) {
            let rows = admin.status("work").filter { $0.state == "online" }
            return rows.count == 2 && before.isDisjoint(with: rows.map(\.pid))
        }, "\(admin.status()) \(cube.log)")
    }

    @Test func invalidConfigurationIsRefusedAndTheRunningOneKept() throws {
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one")], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("one"))
        let client = try cube.client("taeki")
        // Line 3 is wrong; the access change on line 6 must not apply either.
        try Self.writeConfiguration("""
            node.name = testcube
            auth.setup.usr.taeki = :unix:root
            limits.line = lots
            access.cmd.usr.unix-root = **
            access.cmd.usr.v7 = **
            access.cmd.usr.taeki = whoami
            """, of: cube)
        let path = cube.configDirectory + "/cube.conf"
        let expected = "\(path):3: 'limits.line' needs an integer in 1024...67108864, found 'lots'"
        let run = try Self.reload(cube)
        #expect(run.status == 1)
        #expect(run.stderr.contains("configuration refused, running one kept: \(expected)"), "\(run.stderr)")
        #expect(!cube.logLines(containing: "configuration refused", expected).isEmpty, "\(cube.log)")
        // SIGHUP with the same file: refused again, logged, the cube keeps serving.
        #expect(kill(cube.process.processIdentifier, SIGHUP) == 0)
        #expect(Self.waitForReload(cube, count: 2), "\(cube.log)")
        #expect(cube.logLines(containing: "configuration refused", expected).count == 2, "\(cube.log)")
        #expect(cube.process.isRunning)
        #expect(client.call("one.echo kept")?.line == "TRUE kept")
        #expect(admin.instance(of: "one") != nil)
    }

    /// A reload that brings zenki depending on each other (or one on itself) is refused with
    /// the file and line of the `depends`; before, the manager recursed until its stack ran out
    /// and the cube died with every session (a hostile operator's finding).
    @Test func aCircleOfDependsIsRefusedAndTheCubeKeepsServing() throws {
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one")], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("one"))
        var selfish = Self.stdioZenka("selfish")
        selfish.conf += "\ndepends = selfish\n"
        try Self.add(selfish, to: cube)
        let run = try Self.reload(cube)
        let conf = cube.configDirectory + "/zenki/selfish/zenka.conf"
        #expect(run.status == 1)
        #expect(run.stderr.contains("configuration refused, running one kept: \(conf):6: zenka 'selfish' depends on itself"),
                "\(run.stderr)")
        var a = Self.stdioZenka("a"), b = Self.stdioZenka("b")
        a.conf += "\ndepends = one b\n"
        b.conf += "\ndepends = a\n"
        try FileManager.default.removeItem(atPath: cube.configDirectory + "/zenki/selfish")
        try Self.add(a, to: cube)
        try Self.add(b, to: cube)
        let circle = try Self.reload(cube)
        #expect(circle.status == 1)
        #expect(circle.stderr.contains("zenka.conf:6: zenki depend on each other in a circle: a -> b -> a"), "\(circle.stderr)")
        #expect(cube.process.isRunning)
        #expect(admin.call("one.echo still here")?.line == "TRUE still here")
        #expect(admin.list().map(\.zenka) == ["one"])
    }

    /// A zenka with `instances.min = 0` is registered on demand like `start = ondemand`; removed
    /// by a reload, it is unregistered as well (before, `list zenki` and the metrics kept it as
    /// `offline 0` for good).
    @Test func aRemovedZenkaStartedOnDemandByItsMinimumIsUnregistered() throws {
        var lazy = Self.stdioZenka("lazy")
        lazy.conf += "\ninstances.min = 0\n"
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one"), lazy], baseConfiguration: Self.configuration)
        let admin = try cube.client()
        _ = try #require(admin.waitOnline("one"))
        #expect(admin.call("lazy.echo wake", timeout: 10)?.line == "TRUE wake", "\(cube.log)")
        #expect(admin.list().map(\.zenka) == ["lazy", "one"])
        try FileManager.default.removeItem(atPath: cube.configDirectory + "/zenki/lazy")
        let run = try Self.reload(cube)
        #expect(run.stdout.contains("zenka lazy removed"), "\(run.stdout)")
        #expect(eventually(timeout: 5) { admin.list().map(\.zenka) == ["one"] }, "\(admin.list())")
        #expect(admin.call("lazy.echo gone")?.line.hasPrefix("FALSE") == true)
    }

    @Test func reloadReportsChangesAndWhatNeedsARestart() throws {
        // No --log-level, so log.level decides.
        let cube = try ManagerCube(zenki: [], baseConfiguration: Self.configuration, logLevel: nil)
        try Self.writeConfiguration(Self.configuration.replacingOccurrences(of: "node.name = testcube", with: "node.name = other")
            .replacingOccurrences(of: "timeouts.route = 20", with: "timeouts.route = 30\nlog.level = debug"), of: cube)
        let run = try Self.reload(cube)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == """
            timeouts.route: 20 -> 30
            log.level: info -> debug
            needs restart: node.name: testcube -> other

            """)
        let admin = try cube.client()
        #expect(admin.call("name")?.line == "TRUE testcube")
        // The log level applies at once: the router's debug lines now appear.
        #expect(eventually(timeout: 5) { !cube.logLines(containing: "debug", "join unix-root").isEmpty }, "\(cube.log)")
        // Not allowed: taeki may not reload.
        let denied = try ExecutableRun.run(Binaries.cube, ["reload", "--socket", cube.socketPath, "--user", "taeki"])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("command not known or no permission for 'reload'"), "\(denied.stderr)")
    }

    @Test func theCommandLineLogLevelWinsOverLogLevel() throws {
        let cube = try ManagerCube(zenki: [], baseConfiguration: Self.configuration, logLevel: "notice")
        try Self.writeConfiguration(Self.configuration + "\nlog.level = debug", of: cube)
        let run = try Self.reload(cube)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "no changes\n")
        _ = try cube.client()
        usleep(200_000)
        #expect(cube.logLines(containing: "join unix-root").isEmpty, "\(cube.log)")
    }

    @Test func theMountListsTheZenkiOfTheReloadedConfiguration() throws {
        let mountPoint = NSTemporaryDirectory() + "cube-reload-mnt-\(UUID().uuidString.prefix(8))"
        defer {
            MountInfo.forceUnmount(mountPoint)
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        let cube = try ManagerCube(zenki: [Self.stdioZenka("one")], extraConfiguration: "mount.path = \(mountPoint)",
                                   baseConfiguration: Self.configuration)
        func zenki() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: mountPoint + "/zenki")) ?? []).sorted()
        }
        #expect(eventually(timeout: 10) { zenki() == ["one"] }, "\(zenki()) \(cube.log)")
        // `two` never runs (manual): it is listed only because it is configured.
        var two = Self.stdioZenka("two")
        two.conf += "\nstart = manual\n"
        try Self.add(two, to: cube)
        try FileManager.default.removeItem(atPath: cube.configDirectory + "/zenki/one")
        let run = try Self.reload(cube)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(eventually(timeout: 10) { zenki() == ["two"] }, "\(zenki()) \(cube.log)")
        cube.stop()
        #expect(eventually(timeout: 5) { MountInfo.entries(at: mountPoint).isEmpty })
    }

    @Test func aReloadReadsTheAuthorizedKeysAgain() throws {
        let fixture = try SecurityCube(extraConfiguration: "access.cmd.usr.remote-bob = whoami")
        defer { fixture.stop() }
        let login = ["--connect", fixture.address, "--key", fixture.strangerKeyPath, "--known-nodes",
                     fixture.knownNodesPath(), "--pin", "whoami"]
        let before = try fixture.p7(login)
        #expect(before.status == 3 && before.stderr.contains("AUTH_ERROR"), "\(before.stderr)")
        let authorized = fixture.keys.appendingPathComponent("authorized-keys").path
        let handle = try #require(FileHandle(forWritingAtPath: authorized))
        handle.seekToEndOfFile()
        handle.write(Data("\(fixture.stranger.publicKey) remote-bob\n".utf8))
        handle.closeFile()
        #expect(kill(fixture.cube.process.processIdentifier, SIGHUP) == 0)
        var after = before
        #expect(eventually(timeout: 10, interval: 0.2) {
            after = (try? fixture.p7(login)) ?? before
            return after.status == 0
        }, "\(after.stderr)")
        #expect(after.stdout.hasPrefix("remote-bob "), "\(after.stdout)")
    }

    @Test func aCubeWithoutZenkiGetsItsFirstZenkaByReload() throws {
        let cube = try ManagerCube(zenki: [], baseConfiguration: Self.configuration)
        try Self.add(Self.stdioZenka("one"), to: cube)
        let run = try Self.reload(cube)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "zenka one added\n")
        let admin = try cube.client()
        #expect(admin.waitOnline("one") != nil, "\(cube.log)")
        #expect(admin.call("one.echo first")?.line == "TRUE first")
    }
}
