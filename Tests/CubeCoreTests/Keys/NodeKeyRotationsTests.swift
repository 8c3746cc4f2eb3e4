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
        var rotations = NodeKeyRotations(retiredGrace: 0)
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: now) == "n2")
        let proof = NodeKeyRotation.issue(by: old, to: new.publicKey, issued: now - 10)
        #expect(rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) == .known)
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now) == "n2")
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: now) == nil)
        #expect(rotations.node(presenting: ToyMAC.key(for: "n1"), trusted: trusted, now: now) == "n1")
        // A second proof from the retired key (a thief's) is refused; the chain goes on from the new one.
        let fork = NodeKeyRotation.issue(by: old, to: newer, issued: now)
        guard case .refused = rotations.learn(fork, trusted: trusted, verifier: ToyVerifier(), now: now) else {
            Issue.record("a second rotation of the same key was learned")
            return
        }
        let next = NodeKeyRotation.issue(by: new, to: newer, issued: now)
        #expect(rotations.learn(next, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.node(presenting: newer, trusted: trusted, now: now) == "n2")
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now) == nil)
        #expect(rotations.entries == [proof, next])
    }

    /// Proofs for nodes pinned only by their adverts (a hostile neighbour can invent them by
    /// the thousand) fill the entries; a node of the trusted-nodes file still rotates.
    @Test func aListedNodeRotatesWhenInventedNodesFilledTheEntries() {
        var rotations = NodeKeyRotations()
        var pinned = trusted
        for index in 0..<NodeKeyRotations.maximumEntries {
            let key = ToySigner(publicKey: ToyMAC.key(for: "ghost\(index)"))
            pinned["ghost\(index)"] = key.publicKey
            let proof = NodeKeyRotation.issue(by: key, to: ToyMAC.key(for: "ghost\(index)-next"), issued: now)
            #expect(rotations.learn(proof, trusted: pinned, verifier: ToyVerifier(), now: now, listed: ["n1", "n2"])
                        == .learned(node: "ghost\(index)"))
        }
        let extra = ToySigner(publicKey: ToyMAC.key(for: "ghost-extra"))
        pinned["ghost-extra"] = extra.publicKey
        let refused = rotations.learn(NodeKeyRotation.issue(by: extra, to: newer, issued: now), trusted: pinned,
                                      verifier: ToyVerifier(), now: now, listed: ["n1", "n2"])
        #expect(refused == .refused("too many rotations [ \(NodeKeyRotations.maximumEntries) ]"))
        let proof = NodeKeyRotation.issue(by: old, to: new.publicKey, issued: now)
        #expect(rotations.learn(proof, trusted: pinned, verifier: ToyVerifier(), now: now, listed: ["n1", "n2"])
                    == .learned(node: "n2"))
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
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: now) == "n2")
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now) == nil)
    }

    @Test func theRetiredKeyStandsForItsNodeUntilTheGraceAfterTheProofsIssuedTimeEnds() {
        let grace: Int64 = 3_600
        var rotations = NodeKeyRotations(retiredGrace: grace)
        #expect(rotations.retiredGrace == grace && NodeKeyRotations().retiredGrace == 86_400)
        // Learned 10 minutes after it was issued: the grace counts from `issued`, not from learning.
        let issued = now - 600
        let proof = NodeKeyRotation.issue(by: old, to: new.publicKey, issued: issued)
        #expect(rotations.learn(proof, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.retiredUntil(old.publicKey) == issued + grace)
        #expect(rotations.retiredUntil(new.publicKey) == nil)
        for at in [now, issued + grace - 1] {
            #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: at) == "n2", "at \(at)")
            #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: at) == "n2", "at \(at)")
        }
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: issued + grace) == nil)
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: issued + grace) == "n2")
        // Within the grace the retired key still may not sign a second, different proof (a thief's).
        let fork = NodeKeyRotation.issue(by: old, to: newer, issued: now)
        #expect(rotations.learn(fork, trusted: trusted, verifier: ToyVerifier(), now: now)
            == .refused("\(old.publicKey) was rotated to another key already"))
        #expect(rotations.node(presenting: newer, trusted: trusted, now: now) == nil)
        // A chain: each retired key keeps its own grace; the current key is the last one.
        let next = NodeKeyRotation.issue(by: new, to: newer, issued: now)
        #expect(rotations.learn(next, trusted: trusted, verifier: ToyVerifier(), now: now) == .learned(node: "n2"))
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now + grace - 1) == "n2")
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now + grace) == nil)
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: now + grace - 1) == nil)
        #expect(rotations.node(presenting: newer, trusted: trusted, now: now + 10 * grace) == "n2")
        #expect(NodeKeyRotations(retiredGrace: -5).retiredGrace == 0)
    }

    @Test func restoredProofsSkipTheAgeCheckButNotTheSignatureOrTheTrust() {
        var rotations = NodeKeyRotations(retiredGrace: 60)
        let ancient = NodeKeyRotation.issue(by: old, to: new.publicKey, issued: now - NodeKeyRotation.graceSeconds - 86_400)
        guard case .refused = rotations.learn(ancient, trusted: trusted, verifier: ToyVerifier(), now: now) else {
            Issue.record("a proof older than its validity was learned from a link")
            return
        }
        #expect(rotations.learn(ancient, trusted: trusted, verifier: ToyVerifier(), now: now, restoring: true) == .learned(node: "n2"))
        #expect(rotations.node(presenting: new.publicKey, trusted: trusted, now: now) == "n2")
        #expect(rotations.node(presenting: old.publicKey, trusted: trusted, now: now) == nil)
        let impostor = ToySigner(publicKey: ToyMAC.key(for: "impostor"))
        let forged = NodeKeyRotation(old: ToyMAC.key(for: "n1"), new: newer, issued: now,
                                     signature: impostor.sign(NodeKeyRotation.signedBytes(old: ToyMAC.key(for: "n1"), new: newer, issued: now)))
        guard case .refused(let reason) = rotations.learn(forged, trusted: trusted, verifier: ToyVerifier(), now: now, restoring: true) else {
            Issue.record("a forged stored proof was restored")
            return
        }
        #expect(reason.contains("signature"))
        let stranger = NodeKeyRotation.issue(by: impostor, to: newer, issued: now)
        guard case .refused = rotations.learn(stranger, trusted: trusted, verifier: ToyVerifier(), now: now, restoring: true) else {
            Issue.record("a stored proof from an untrusted key was restored")
            return
        }
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
