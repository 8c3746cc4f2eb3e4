import CubeCore
import Testing

/// `network.peers` on reload (docs/configuration.md "Reload"): added peers are dialled, removed
/// ones hung up, and a peer added with `link` at run time is left alone.
@Suite struct ReconfigurePeersTests {
    static let now = Timestamp(monotonic: 1_000_000_000, wall: 1_767_225_600)

    static func configuration(peers: String) throws -> CubeConfiguration {
        let text = "node.name = n1\naccess.cmd.usr.* = **\nnetwork.peers = \(peers)"
        return try CubeConfiguration.load(try ConfigFile.parse(text, file: "sim.conf"), owner: "root")
    }

    @Test func changedPeersAreDialledAndHungUp() throws {
        var network = SimulatedNetwork()
        try network.add("n1", extra: ["network.peers = tcp:a:1 tcp:b:2"])
        var router = try #require(network.routers["n1"])
        let (admin, _) = router.connectLocal(user: "root", transport: .local("test"), now: Self.now)
        #expect(router.received(Array("(1)link tcp:d:4\n".utf8), from: admin, now: Self.now)
            == [.dial(try peer("tcp:d:4")), .send(admin, Array("(1)TRUE linking tcp:d:4\n".utf8))])

        #expect(router.reconfigure(try Self.configuration(peers: "tcp:b:2 tcp:c:3"), now: Self.now)
            == [.dial(try peer("tcp:c:3")), .hangUp(try peer("tcp:a:1"))])
        #expect(router.configuration.network.peers == [try peer("tcp:b:2"), try peer("tcp:c:3")])
        // The same peers again: nothing to do.
        #expect(router.reconfigure(try Self.configuration(peers: "tcp:c:3 tcp:b:2"), now: Self.now).isEmpty)
        // All configured peers gone; the one from `link` stays.
        #expect(router.reconfigure(try Self.configuration(peers: ""), now: Self.now)
            == [.hangUp(try peer("tcp:b:2")), .hangUp(try peer("tcp:c:3"))])
        let links = router.received(Array("(2)links\n".utf8), from: admin, now: Self.now)
        guard case .send(_, let bytes)? = links.first else {
            Issue.record("no links table: \(links)")
            return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("tcp:d:4"))
        #expect(!text.contains("tcp:b:2") && !text.contains("tcp:c:3") && !text.contains("tcp:a:1"))
    }

    @Test func aNodeOutsideANetworkDialsNothing() throws {
        var router = Router(configuration: try Self.configuration(peers: ""), hasher: IdentityHasher(), seed: 1, now: Self.now)
        #expect(router.reconfigure(try Self.configuration(peers: "tcp:a:1"), now: Self.now).isEmpty)
        #expect(router.configuration.network.peers == [try peer("tcp:a:1")])
    }
}
