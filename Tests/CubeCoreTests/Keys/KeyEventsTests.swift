import CubeCore
import Testing

/// Every node logs the revocations it adds and the node key rotations it learns, once each,
/// with where they came from (docs/security.md "Revocation", "Node key rotation").
@Suite struct KeyEventsTests {
    @Test func aRevocationIsAnEventOnEveryNodeItReachesOnce() throws {
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name, wideSignatures: true) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        net.events = [:]
        let admin = net.connect("root", at: "n1")
        let key = ToyMAC.key(for: "mallory")
        net.send("(1)revoke \(key)\n(2)revoke \(key)\n", from: admin, at: "n1")
        #expect(net.take(admin, at: "n1").hasPrefix("(1)TRUE revoked key:\(key), 0 session(s) closed\n"))
        let signer = ToyMAC.key(for: "n1")
        func revocations(at node: String) -> [RouterEvent] {
            (net.events[node] ?? []).filter { if case .revoked = $0 { true } else { false } }
        }
        #expect(revocations(at: "n1") == [.revoked(target: "key:\(key)", signer: signer, from: nil, closed: 0)])
        #expect(revocations(at: "n2") == [.revoked(target: "key:\(key)", signer: signer, from: "n1", closed: 0)])
        #expect(revocations(at: "n3") == [.revoked(target: "key:\(key)", signer: signer, from: "n2", closed: 0)])
        #expect(revocations(at: "n3").first.map { "\($0)" } == "revoked key:\(key) signer \(signer) from n2 closed 0")
    }

    @Test func aLearnedRotationIsAnEventOnceAndARefusedOneIsNot() throws {
        var net = SimulatedNetwork()
        for name in ["n1", "n2", "n3"] { try net.add(name, wideSignatures: true) }
        net.link("n1", "n2")
        net.link("n2", "n3")
        net.events = [:]
        let n3 = WideToySigner(publicKey: ToyMAC.key(for: "n3"))
        let next = ToyMAC.key(for: "n3-next")
        let rotation = NodeKeyRotation.issue(by: n3, to: next, issued: net.now.wall)
        let stranger = NodeKeyRotation.issue(by: WideToySigner(publicKey: ToyMAC.key(for: "eve")), to: next, issued: net.now.wall)
        let link = try #require(net.routers["n1"]?.linkSessions["n2"]?.first)
        for proof in [rotation, rotation, stranger] {
            net.inject(Array("rotations+\n\n\(proof.text)\n.\n".utf8), on: link, at: "n1")
        }
        let learned = (net.events["n1"] ?? []).filter { if case .keyRotated = $0 { true } else { false } }
        #expect(learned == [.keyRotated(node: "n3", old: n3.publicKey, new: next, from: "n2")])
        #expect(learned.first.map { "\($0)" } == "key-rotated n3 \(n3.publicKey) \(next) from n2")
    }
}
