import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Unmounting, crash recovery, and the round-trip measurement.
extension MountLiveTests {
    @Test func sigtermOfTheCubeWhileCatOutIsBlockedEndsTheCatAndLeavesNothingMounted() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let out = MountChild(["/bin/cat", mount.path("out")])
        let events = MountChild(["/bin/cat", mount.path("events")])
        #expect(out.waitUntilBlockedInRead(), "cat out never blocked")
        #expect(events.waitUntilBlockedInRead(), "cat events never blocked")
        let started = Date()
        let status = mount.cube.stop(signal: SIGTERM, seconds: 5)
        let stopped = Date().timeIntervalSince(started)
        #expect(status == 0, "cube exit status \(status): \(mount.cube.standardError())")
        let outEnded = out.wait(timeout: 3)
        let eventsEnded = events.wait(timeout: 3)
        #expect(outEnded.succeeded, "cat out: \(outEnded)")
        #expect(eventsEnded.succeeded, "cat events: \(eventsEnded)")
        #expect(MountInfo.entries(at: mount.mountPoint).isEmpty, "still mounted after SIGTERM")
        print("mount: SIGTERM with two blocked readers → cube gone after \(ms(stopped))")
    }

    /// `fusermount3 -u -z` detaches the mount but keeps the connection while files are open: the
    /// cube notices the mount table change and answers parked reads with end-of-file.
    @Test func aLazyUnmountEndsACatBlockedOnOutAndTheCubeKeepsServing() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let out = MountChild(["/bin/cat", mount.path("out")])
        #expect(out.waitUntilBlockedInRead(), "cat out never blocked")
        let lazy = MountChild.run(["/usr/bin/fusermount3", "-u", "-z", mount.mountPoint])
        #expect(lazy.succeeded, "\(lazy)")
        let ended = out.wait(timeout: 5)
        #expect(ended.succeeded, "cat out after the lazy unmount: \(ended)")
        #expect(!mount.isMounted, "still mounted after fusermount3 -u -z")
        let client = try RawSocket(path: mount.cube.socketPath)
        #expect(client.loginUnix())
        client.send("(1)heart\n")
        #expect(client.read(until: "\n") == "(1)TRUE beating\n")
        #expect(mount.cube.stop(signal: SIGTERM, seconds: 5) == 0)
        // Read once the cube is gone: reading its stderr earlier would block while it is silent.
        let log = mount.cube.standardError()
        #expect(log.contains("mount detached from outside"), "\(log)")
        #expect(access(mount.cube.socketPath, F_OK) != 0, "socket left behind")
        print("mount: lazy unmount with a blocked cat → cat ran \(ms(ended.seconds)) in all")
    }

    /// SIGHUP (the terminal running the cube closed, or `systemctl reload`) reloads the
    /// configuration and neither stops nor unmounts the cube; SIGTERM afterwards still unmounts
    /// and removes the socket. (What a reload changes: ReloadLiveTests.)
    @Test func sighupLeavesTheCubeServingAndSigtermThenRemovesMountAndSocket() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let pid = mount.cube.process.processIdentifier
        #expect(kill(pid, SIGHUP) == 0)
        #expect(kill(pid, SIGHUP) == 0)
        usleep(300_000)
        #expect(mount.cube.process.isRunning, "SIGHUP ended the cube")
        let client = try RawSocket(path: mount.cube.socketPath)
        #expect(client.loginUnix())
        client.send("(1)heart\n")
        #expect(client.read(until: "\n") == "(1)TRUE beating\n")
        #expect(mount.echo("(2)heart", to: "cmd").succeeded)
        #expect(mount.readLines("out", pattern: "(2)").lines.first?.hasPrefix("(2)TRUE beating") == true)
        #expect(mount.cube.stop(signal: SIGTERM, seconds: 5) == 0)
        #expect(!mount.isMounted, "still mounted after SIGTERM")
        #expect(access(mount.cube.socketPath, F_OK) != 0, "socket left behind")
    }

    @Test func afterKillMinus9ANewCubeOnTheSameMountPointClearsTheStaleMountAndServes() throws {
        let first = try MountedCube()
        defer { first.cleanup() }
        let point = first.mountPoint
        first.cube.stop(signal: SIGKILL)
        #expect(MountInfo.entries(at: point).count == 1, "kill -9 left no mount behind; nothing to clear")
        let dead = MountChild.run(["/bin/ls", point])
        #expect(dead.status != 0 && dead.errors.contains("Transport endpoint is not connected"), "\(dead)")

        let second = try MountedCube(mountPoint: point, stale: true)
        defer { second.cleanup() }
        // Cleared, not stacked: exactly one mount, and it is the live one.
        let entries = MountInfo.entries(at: point)
        #expect(entries.count == 1, "mounts at \(point): \(entries)")
        let listing = second.ls()
        #expect(listing.succeeded && listing.lines.contains("zenki"), "\(listing)")
        #expect(second.echo("(3)heart", to: "cmd").succeeded)
        #expect(second.readLines("out", pattern: "(3)").lines.first?.hasPrefix("(3)TRUE beating") == true)
        second.cleanup()
        #expect(MountInfo.entries(at: point).isEmpty, "still mounted after the second cube stopped")
    }

    /// Not a threshold: prints the median `cmd` write → reply readable in `out`, next to the same
    /// round trip over the unix socket, through the same test zenka (`echo`) and for a command the
    /// cube answers itself (`whoami`). Each figure: 200 sequential round trips by a python3 helper.
    @Test func measuresTheMedianRoundTripThroughCmdAndOutNextToTheSocket() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        #expect(mount.waitListed("calc") != nil)
        let rounds = "200"
        let runs: [(String, MountChild.Outcome)] = [
            ("zenka echo, mount  zenki/calc/cmd → zenki/calc/out",
             MountChild.py(MountScripts.roundTripMount,
                           [mount.path("zenki/calc/cmd"), mount.path("zenki/calc/out"), rounds, "echo rt"], timeout: 30)),
            ("zenka echo, socket calc.echo",
             MountChild.py(MountScripts.roundTripSocket, [mount.cube.socketPath, rounds, "calc.echo rt"], timeout: 30)),
            ("local whoami, mount  cmd → out",
             MountChild.py(MountScripts.roundTripMount, [mount.path("cmd"), mount.path("out"), rounds, "whoami"],
                           timeout: 30)),
            ("local whoami, socket whoami",
             MountChild.py(MountScripts.roundTripSocket, [mount.cube.socketPath, rounds, "whoami"], timeout: 30)),
        ]
        for (name, run) in runs {
            #expect(run.lines.first?.hasPrefix("ok=\(rounds) ") == true, "\(name): \(run)")
            print("round trip \(name): \(run.lines.first ?? "failed: \(run)")")
        }
    }
}
