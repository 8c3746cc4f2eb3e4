@testable import CubeCore
import Testing

/// A new route shares the previous route's path array when the bytes are the same
/// (``Router/routePath(_:)``): every route still keeps exactly the path its command had.
@Suite struct RoutePathSharingTests {
    private let now = Timestamp(monotonic: 1_000_000_000, wall: 1_795_000_000)

    @Test func eachRouteKeepsItsOwnPathWhateverTheOrder() throws {
        let configuration = try CubeConfiguration.load(ConfigFile.parse("access.cmd.usr.* = **", file: "test"), owner: "root")
        var router = Router(configuration: configuration, hasher: IdentityHasher(), seed: 5, now: now)
        let (client, _) = router.connectLocal(user: "root", transport: .unix, now: now)
        _ = router.connectLocal(user: "calc", transport: .unix, kind: .client(method: "unix"), now: now)
        _ = router.connectLocal(user: "echo", transport: .unix, kind: .client(method: "unix"), now: now)
        let paths = ["calc.xx", "calc.xx", "echo.yy", "calc.xx", "calc.xxy", "calc.xx", "echo.yy", "echo.yy"]
        let burst = paths.enumerated().map { "(\($0 + 10))\($1) arg\n" }.joined()
        _ = router.received(Array(burst.utf8), from: client, now: now)
        // One more input: the remembered path is compared again at the start of a read.
        _ = router.received(Array("(99)calc.xx\n".utf8), from: client, now: now)
        let kept = router.routes.ordered().map { String(decoding: $0.route.path, as: UTF8.self) }
        #expect(kept == paths + ["calc.xx"])
    }
}
