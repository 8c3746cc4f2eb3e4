import CubeTestSupport
import Foundation
import Testing

/// The cube raises its soft open-file limit to the hard one, and the programs it starts get
/// back the soft limit it was started with (docs/security.md "Logins when the machine runs
/// short"): a zenka that uses `select(2)` must not be handed descriptors past 1023.
@Suite(.serialized) struct DescriptorLimitLiveTests {
    /// The soft and hard `Max open files` of `pid`, from `/proc/<pid>/limits`.
    private static func openFiles(of pid: Int32) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        return Array(line.dropFirst("Max open files".count).split(separator: " ").prefix(2).map(String.init))
    }

    @Test func aZenkaGetsTheSoftLimitTheCubeWasStartedWith() throws {
        let cube = try ManagerCube(zenki: [ManagerLifecycleLiveTests.shell], openFiles: (soft: 1000, hard: 4096))
        let admin = try cube.client()
        let zenka = try #require(admin.waitOnline("sh1"))
        #expect(Self.openFiles(of: cube.process.processIdentifier) == ["4096", "4096"])
        #expect(Self.openFiles(of: zenka.pid) == ["1000", "4096"])
    }
}
