@testable import CubeMount
import CubeCore
import CubeFUSE
import CubeRuntime
import Glibc
import Logging
import Testing

/// `zenki/<name>/stats` shows what `stats <name>` answers, under the same access rules
/// (docs/filesystem.md "Text files"): a hostile tester read, through the mount, the stats the
/// rules refused them on `cmd`.
@Suite struct StatsAccessTests {
    @Test func statsAreRefusedToAUserTheRulesDenyThem() throws {
        let text = "node.name = statstest\naccess.cmd.usr.unix-admin = **\naccess.cmd.usr.unix-tester = heart\n"
        let configuration = try CubeConfiguration.load(ConfigFile.parse(text, file: "test"), owner: "root")
        let hub = Hub(configuration: configuration, hasher: PlainHasher(), seed: 7, utcOffset: 0,
                      delegates: .init(verifyPassword: { _, _ in false }), logger: Logger(label: "stats-test"))
        let fileSystem = NetworkFileSystem(hub: hub, mountPoint: "/nonexistent", logger: Logger(label: "stats-test"),
                                           userNames: { .name($0 == 0 ? "admin" : "tester") })
        _ = hub.connectLocal(Sink(), user: "big", transport: .local("test"), kind: .zenka)
        let ino = fileSystem.state.withLock { $0.nodes.ino(for: .file(.stats, .zenka("big"))) }
        let tester = RequestContext(uid: 1000, gid: 1000, pid: 1, umask: 0)
        guard case .failure(let refused) = fileSystem.open(ino: ino, flags: O_RDONLY, context: tester) else {
            Issue.record("a user without `stats` opened zenki/big/stats")
            return
        }
        #expect(refused == .permissionDenied)
        let admin = RequestContext(uid: 0, gid: 0, pid: 1, umask: 0)
        let handle = try fileSystem.open(ino: ino, flags: O_RDONLY, context: admin).get().handle
        #expect(fileSystem.state.withLock { $0.files[handle]?.text.isEmpty == false })
        fileSystem.release(ino: ino, handle: handle, flags: 0)
    }
}
