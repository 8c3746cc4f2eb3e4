import CubeAuth
import CubeClient
import CubeTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Node key rotation on links (issue 19, docs/security.md "Node key rotation"): real cubes linked
/// n1 → n2 → n3 → n4 (each dials the next); n2 rotates its key and restarts with the new key and
/// the proof. Without any change to the others' configuration both of n2's links come back and
/// its adverts verify everywhere, on the far n4 too (which pinned the old key and learns the
/// proof from n3's `rotations` record); a forged proof is refused, and so is the old key afterwards.
@Suite(.serialized) struct NodeKeyRotationLinkLiveTests {
    @Test func aRotatedNodeRelinksOnItsProofAndAForgedProofOrTheOldKeyIsRefused() throws {
        let net = try RingNetwork(names: ["n1", "n2", "n3", "n4"], links: [("n1", "n2"), ("n2", "n3"), ("n3", "n4")])
        // What remains while n2 is refused: n3-n4 alone.
        let withoutN2: Set<RingNetwork.Edge> = [RingNetwork.Edge("n3", "n4")]
        defer { net.shutdown() }
        for name in net.names { try net.start(name) }
        _ = try net.waitForTopology(net.allEdges, timeout: 20)

        let oldPath = net.directory.appendingPathComponent("n2.key").path
        let newPath = net.directory.appendingPathComponent("n2-next.key").path
        let rotated = try ExecutableRun.run(Binaries.cube, ["keygen", "--rotate", oldPath, "--out", newPath])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newKey = try #require(PublicKey(base32: String(rotated.stdout.prefix(52))))

        // A proof signed by another key than the trusted one: neither side links.
        let forged = net.directory.appendingPathComponent("forged.rotation").path
        try (KeyRotation.issue(from: IdentityKey.generate(), to: newKey, issued: Int64(time(nil))).text + "\n")
            .write(toFile: forged, atomically: true, encoding: .utf8)
        net.kill("n2")
        try net.start("n2", keyPath: newPath, extra: "auth.c25519.rotation = \(forged)")
        _ = try net.waitForTopology(withoutN2, timeout: 20)
        var refusal = ""
        for _ in 0..<50 where !refusal.contains("not a trusted node") {
            refusal = String(decoding: try net.client("n1").ask("links").body, as: UTF8.self)
            if !refusal.contains("not a trusted node") { usleep(200_000) }
        }
        #expect(refusal.contains("not a trusted node"), "n1's links: \(refusal)")
        #expect(try net.topologyDifference(withoutN2) == nil)

        // The genuine proof: n3 accepts n2's dial (proof presented before `hello`), n1 asks n2
        // for it on its next dial; n2's new-key adverts verify on both.
        net.kill("n2")
        let started = Date()
        try net.start("n2", keyPath: newPath, extra: "auth.c25519.rotation = \(newPath).rotation")
        _ = try net.waitForTopology(net.allEdges, timeout: 20)
        print("key rotation: links up and topology converged \(Int(Date().timeIntervalSince(started) * 1000)) ms after n2 restarted")
        let nodes = try net.nodes(on: "n1")
        // Every node holds n2's latest advert (signed by the new key), not the one from before.
        var stale: [String] = []
        for _ in 0..<100 {
            let own = try net.nodes(on: "n2")["n2"]?.sequence
            stale = try ["n1", "n3", "n4"].filter { try net.nodes(on: $0)["n2"]?.sequence != own }
            if stale.isEmpty { break }
            usleep(100_000)
        }
        #expect(stale.isEmpty, "n2's new-key adverts not accepted on \(stale): \(net.nodesText(on: stale.first ?? "n4"))")
        #expect(nodes["n4"]?.distance == 3 && nodes["n4"]?.via == "n2", "n1 reaches n4 through the rotated n2: \(net.nodesText(on: "n1"))")

        // The old key is retired on both neighbours: n2 restarted with it links nowhere.
        net.kill("n2")
        try net.start("n2")
        Thread.sleep(forTimeInterval: 3)
        _ = try net.waitForTopology(withoutN2, timeout: 20)
        #expect(try net.topologyDifference(withoutN2) == nil)
    }
}
