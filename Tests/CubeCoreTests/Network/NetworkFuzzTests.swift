import CubeCore
import Testing

/// Hostile bytes on a link: a trusted neighbour that sends garbage, broken adverts, forged hop
/// elements and stray replies must not make a node trap, and the network must keep routing.
@Suite struct NetworkFuzzTests {
    /// Link traffic worth mutating: adverts, hop-prefixed commands, replies, keep-alives.
    static func linkSeeds(_ advert: [UInt8]) -> [[UInt8]] {
        [
            advert, Array("(5)_h32.n3.calc.add 1 2\n".utf8), Array("(6)_h0.n3.heart\n".utf8),
            Array("(7)_h99.n3.heart\n(8)_h.n3.x\n(9)_h3\n".utf8), Array("(123456)TRUE 3\n(5)SIZE 0003\nabc".utf8),
            Array("link-alive\nadvert+\nx: y\n\nnode: n9\n.\n".utf8), Array("(10)n2.n1.n2.n1.name\n(11)unlink n3\n".utf8),
        ] + RouterFuzzTests.builtInSeeds
    }

    @Test func nodesSurviveHostileLinkTrafficAndKeepRouting() throws {
        var random = SplitMix64(seed: 0x11E7 &+ RouterFuzzTests.seedOffset)
        var net = SimulatedNetwork()
        // Wide (64-byte) toy signatures: the key records below parse and verify, so they are learned.
        for name in ["n1", "n2", "n3"] { try net.add(name, wideSignatures: true) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        net.link("n1", "n3")
        let client = net.connect("alice", at: "n1")
        let advert = try #require(net.routers["n3"]?.topology?.advert(of: "n3"))
        let advertBytes = Array("advert+\n\n".utf8) + advert.render() + Array(".\n".utf8)
        // The key records too (docs/security.md): a genuine rotation of n3 (its old key stays
        // accepted for the default grace) and a revocation of a key nobody uses.
        let n3 = WideToySigner(publicKey: ToyMAC.key(for: "n3"))
        let wall = Int64(1_767_225_600)
        let rotation = NodeKeyRotation.issue(by: n3, to: ToyMAC.key(for: "n3-next"), issued: wall)
        let revocation = Revocation.issue(target: "key:" + ToyMAC.key(for: "mallory"), issued: wall, by: n3)
        let keyRecords = [Array("rotations+\n\n\(rotation.text)\n.\n".utf8),
                          Array("revocations+\n\n\(revocation.text)\n\(revocation.text)\n.\n".utf8)]
        let seeds = Self.linkSeeds(advertBytes) + keyRecords
        for iteration in 0..<max(200, RouterFuzzTests.iterations / 5) {
            // Garbage arrives on n2's link from n1, as if n1 had gone mad.
            guard let link = net.routers["n2"]?.linkSessions["n1"]?.first else {
                net.link("n1", "n2")  // a hostile input may close the link (`exit`): relink
                continue
            }
            let input = RouterFuzzTests.mutate(seeds[Int(random.next() % UInt64(seeds.count))], &random)
            net.inject(input, on: link, at: "n2")
            if iteration % 25 == 0 { net.tick(seconds: 1) }
        }
        // Whatever happened, a fresh link from n1 (the mad stream may be stuck in a half
        // message, as a real corrupted stream would be) and lifted unlinks restore routing.
        if let link = net.routers["n2"]?.linkSessions["n1"]?.first { net.cut("n2", link) }
        let admin = net.connect("root", at: "n2")
        net.send("link n1\nlink n3\n", from: admin, at: "n2")
        net.link("n1", "n2")
        if net.routers["n2"]?.isLinked(to: "n3") == false { net.link("n2", "n3") }
        net.tick(seconds: 1)
        _ = net.take(client, at: "n1")
        net.send("(1)n2.name\n(2)n3.name\n(3)name\n", from: client, at: "n1")
        // The local answer comes first; the remote ones follow as their hops deliver them.
        let replies = net.take(client, at: "n1").split(separator: "\n").sorted()
        #expect(replies == ["(1)TRUE n2", "(2)TRUE n3", "(3)TRUE n1"])
    }
}
