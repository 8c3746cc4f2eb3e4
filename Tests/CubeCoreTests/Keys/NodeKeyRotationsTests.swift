import CubeCore
import Foundation
import Testing

/// The node key rotation state machine (docs/security.md, "Node key rotation").
@Suite struct NodeKeyRotationsTests {
    let old = ToySigner(publicKey: ToyMAC.key(for: "n2-old"))
    let new = ToySigner(publicKey: ToyMAC.key(for: "n2-new"))
    let newer = ToyMAC.key(for: "n2-newer")
    let now: Int64 = 1_800_000_000
    var trusted: [String: String] { ["n1": ToyMAC.key(for: "n1"), "n2": old.publicKey] }

    @Test func aProofFromATrustedKeyMovesTheNodeToTheNewKeyAndRetiresTheOld() {
        var rotations = NodeKeyRotations()
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted) == "n2")
        let proof = NodeKeyRotation.issue(by: old, to: new.publicKey, issued: now - 10)
        #expect(rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) == .known)
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted) == "n2")
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted) == nil)
        #expect(rotations.node(presenting: ToyMAC.key(for: "n1"), trusted: trusted) == "n1")
        // A second proof from the retired key (a thief's) is refused; the chain goes on from the new one.
        let fork = NodeKeyRotation.issue(by: old, to: newer, issued: now)
        guard case .refused = rotations.learn(fork, trusted: trusted, verifier: ToyVerifier(), now: now) else {
            Issue.record("a second rotation of the same key was learned")
            return
        }
        let next = NodeKeyRotation.issue(by: new, to: newer, issued: now)
        #expect(rotations.learn(next, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.node(presenting: newer, trusted: trusted) == "n2")
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted) == nil)
        #expect(rotations.entries == [proof, next])
    }

    @Test func forgedStaleAndUntrustedProofsAreRefused() {
        var rotations = NodeKeyRotations()
        let impostor = ToySigner(publicKey: ToyMAC.key(for: "impostor"))
        let cases: [(NodeKeyRotation, String)] = [
            (NodeKeyRotation.issue(by: impostor, to: new.publicKey, issued: now), "not the current key"),
            (NodeKeyRotation(old: old.publicKey, new: new.publicKey, issued: now,
                             signature: impostor.sign(NodeKeyRotation.signedBytes(old: old.publicKey, new: new.publicKey, issued: now))),
             "signature"),
            (NodeKeyRotation.issue(by: old, to: new.publicKey, issued: now - NodeKeyRotation.graceSeconds - 1), "days ago"),
        ]
        for (proof, reason) in cases {
            guard case .refused(let text) = rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) else {
                Issue.record("learned \(proof.text)")
                continue
            }
            #expect(text.contains(reason), "\(text)")
        }
        #expect(rotations.entries.isEmpty)
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted) == "n2")
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted) == nil)
    }

    @Test func theTextFormRoundTripsAndRejectsDamage() {
        let proof = NodeKeyRotation(old: old.publicKey, new: new.publicKey, issued: now, signature: Array(repeating: 9, count: 64))
        #expect(NodeKeyRotation(text: proof.text) == proof)
        let damaged = [proof.text.replacingOccurrences(of: " \(now) ", with: " 0\(now) "),
                       proof.text.replacingOccurrences(of: " ", with: "  "),
                       String(proof.text.dropLast(3)),
                       "\(old.publicKey) \(old.publicKey) \(now) " + proof.text.split(separator: " ")[3],
                       proof.text + " x", String(repeating: "A", count: 600)]
        for text in damaged { #expect(NodeKeyRotation(text: text) == nil, "\(text)") }
    }
}
