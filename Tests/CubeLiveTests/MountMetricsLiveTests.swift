import Foundation
import Testing

/// The mount's `metrics` file and the README's stand-ins for `tail` on stream files, on a
/// real mount (part of the serialized ``MountLiveTests``: one mount at a time).
extension MountLiveTests {
    @Test func theMetricsFileIsValidExpositionAndCountsRoutedCommandsAndMountOperations() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        let zenka = try TestZenka(name: "calc", cube: mount.cube)
        defer { zenka.stop() }
        let first = mount.cat("metrics")
        #expect(first.succeeded, "\(first)")
        let before = try Exposition(parsing: first.output)
        #expect(before.types["cube_mount_operations_total"] == "counter")
        #expect(before.types["cube_route_latency_seconds"] == "histogram")
        // One command through the mount: routed, answered, timed.
        #expect(mount.echo("heart", to: "zenki/calc/cmd").succeeded)
        #expect(mount.readLines("zenki/calc/out", pattern: "TRUE beating").succeeded)
        let second = mount.cat("metrics")
        let after = try Exposition(parsing: second.output)
        func delta(_ series: String) -> Double { (after[series] ?? .nan) - (before[series] ?? 0) }
        #expect(delta("cube_commands_routed_total") == 1)
        #expect(delta("cube_zenka_requests_total{zenka=\"calc\"}") == 1)
        #expect(delta("cube_route_latency_seconds_count") == 1)
        #expect(delta("cube_mount_operations_total{operation=\"write\"}") >= 1)
        #expect(delta("cube_mount_operations_total{operation=\"open\"}") >= 3)
        #expect((after["cube_sessions{method=\"fs\"}"] ?? 0) >= 1, "\(after.samples.keys.filter { $0.hasPrefix("cube_sessions") })")
    }

    @Test func theReadmesLastReplyStandInForTailPrintsTheLatestReply() throws {
        let mount = try MountedCube()
        defer { mount.cleanup() }
        #expect(mount.echo("(7) heart", to: "cmd").succeeded)
        #expect(mount.echo("(8) whoami", to: "cmd").succeeded)
        #expect(mount.readLines("out", count: 2, pattern: ")TRUE").succeeded)
        // `-s KILL`: children of the test runner inherit signal dispositions that can keep
        // `timeout`'s SIGTERM from ending `cat` (a shell does not; the README's line is plain).
        let last = MountChild.sh("timeout -s KILL 1 cat \(shq(mount.path("out"))) | tail -n 1", timeout: 5)
        #expect(last.lines.count == 1 && last.lines.first?.hasPrefix("(8)TRUE unix-root") == true, "\(last)")
    }
}
