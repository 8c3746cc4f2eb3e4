import CubeAuth
import CubeCore
import CubeRuntime
@testable import CubeNet
import Testing

/// The discovery datagram and the rules for accepting one, without a network.
@Suite struct DiscoveryAnnouncementTests {
    let identity = IdentityKey.generate()
    let now: Int64 = 1_700_000_000

    private func announcement(node: String = "n2", address: String = "tcp:10.0.0.2:7007", issued: Int64? = nil,
                              by key: IdentityKey? = nil) -> DiscoveryAnnouncement {
        .signed(node: node, address: address, issued: issued ?? now, by: key ?? identity)
    }

    private func trusting(_ node: String, _ key: PublicKey) throws -> KnownNodes {
        try KnownNodes(parsing: "\(node) \(key)\n")
    }

    @Test func theTextRoundTripsAndIsSignedOverEverythingBeforeTheSignature() throws {
        let made = announcement()
        let fields = made.text.split(separator: " ")
        #expect(fields.count == 6)
        #expect(fields[0] == "p7-announce" && fields[1] == "n2" && fields[2] == "\(identity.publicKey)")
        #expect(fields[3] == "tcp:10.0.0.2:7007" && fields[4] == "\(now)" && fields[5].count == 103)
        #expect(made.signedText == fields[0...4].joined(separator: " "))
        let parsed = try #require(DiscoveryAnnouncement(datagram: Array(made.text.utf8)))
        #expect(parsed == made)
        #expect(parsed.text == made.text)
        #expect(parsed.hasValidSignature)
    }

    @Test func parsingIsStrict() {
        let text = announcement().text
        var fields = text.split(separator: " ").map(String.init)
        let bad: [String] = [
            text + "\n", " " + text, text + " ", text.replacingOccurrences(of: " n2 ", with: "  n2 "),
            "p7-Announce" + text.dropFirst("p7-announce".count), text + " extra",
            fields.dropLast().joined(separator: " "),
            text.lowercased(), String(repeating: "x", count: 600),
        ]
        for datagram in bad { #expect(DiscoveryAnnouncement(datagram: Array(datagram.utf8)) == nil, "accepted: \(datagram)") }
        let replacements: [(Int, String)] = [
            (1, "-n2"), (1, "n2.x"), (1, String(repeating: "n", count: 18)), (2, String(fields[2].dropLast())),
            (3, "10.0.0.2:7007"), (3, "tcp:10.0.0.2:0"), (3, "udp:10.0.0.2:7007"), (4, "+1700000000"), (4, "-1"),
            (4, "1234567890123"), (4, ""), (5, String(fields[5].dropLast(2))),
        ]
        for (index, value) in replacements {
            let saved = fields[index]
            fields[index] = value
            let datagram = fields.joined(separator: " ")
            #expect(DiscoveryAnnouncement(datagram: Array(datagram.utf8)) == nil, "accepted: \(datagram)")
            fields[index] = saved
        }
        var binary = Array(text.utf8)
        binary[20] = 0
        #expect(DiscoveryAnnouncement(datagram: binary) == nil)
    }

    @Test func onlyATrustedKeyUnderItsOwnNameWithAFreshValidSignatureIsAccepted() throws {
        let own = IdentityKey.generate()
        let nodes = try trusting("n2", identity.publicKey)
        func judge(_ item: DiscoveryAnnouncement, trusted: KnownNodes? = nil, mayVerify: () -> Bool = { true }) -> DiscoveryVerdict {
            DiscoveryVerdict.judge(item, trust: LinkTrust(nodes: trusted ?? nodes), ownName: "n1", ownKey: own.publicKey, now: now,
                                   intervalSeconds: 5, mayVerify: mayVerify)
        }
        #expect(judge(announcement()) == .accept)
        #expect(judge(announcement(issued: now - 15)) == .accept)
        #expect(judge(announcement(issued: now + 60)) == .accept)
        #expect(judge(announcement(node: "n1", by: own)) == .own)
        #expect(judge(announcement(node: "n9", by: own)) == .own)
        // An unknown name, a trusted name with another key, a trusted key under another name.
        #expect(judge(announcement(node: "n3", by: IdentityKey.generate())) == .refuse(.untrusted))
        #expect(judge(announcement(by: IdentityKey.generate())) == .refuse(.untrusted))
        #expect(judge(announcement(node: "n3")) == .refuse(.untrusted))
        #expect(judge(announcement(), trusted: KnownNodes()) == .refuse(.untrusted))
        // Replays: older than three intervals, or dated more than a minute ahead.
        #expect(judge(announcement(issued: now - 16)) == .refuse(.stale))
        #expect(judge(announcement(issued: now + 61)) == .refuse(.future))
        // A signature over other bytes: the address changed after signing.
        let made = announcement()
        let forged = made.text.replacingOccurrences(of: "tcp:10.0.0.2:7007", with: "tcp:10.0.0.9:7007")
        let parsed = try #require(DiscoveryAnnouncement(datagram: Array(forged.utf8)))
        #expect(judge(parsed) == .refuse(.badSignature))
        #expect(judge(made, mayVerify: { false }) == .refuse(.busy))
    }

    /// Discovery follows a rotation this node learned, as links do (docs/security.md, "Node key
    /// rotation"): the new key's announcements are accepted under the node's name, the retired
    /// key's only within the grace after the proof's issued time, and no other node's name.
    @Test func aLearnedRotationIsFollowedAndTheRetiredKeyOnlyWithinTheGrace() throws {
        let own = IdentityKey.generate()
        let rotated = IdentityKey.generate()
        let grace: Int64 = 600
        let trust = LinkTrust(nodes: try trusting("n2", identity.publicKey), retiredGrace: grace)
        func judge(_ item: DiscoveryAnnouncement, at time: Int64? = nil) -> DiscoveryVerdict {
            DiscoveryVerdict.judge(item, trust: trust, ownName: "n1", ownKey: own.publicKey, now: time ?? item.issued,
                                   intervalSeconds: 5)
        }
        // Before the proof is learned the new key is a stranger, as before.
        #expect(judge(announcement(by: rotated)) == .refuse(.untrusted))
        #expect(judge(announcement()) == .accept)

        let proof = try #require(NodeKeyRotation(text: KeyRotation.issue(from: identity, to: rotated.publicKey, issued: now).text))
        #expect(trust.learn(proof, now: now) == .learned(node: "n2"))
        #expect(judge(announcement(by: rotated)) == .accept)
        #expect(judge(announcement(issued: now + grace, by: rotated)) == .accept)
        #expect(judge(announcement(node: "n3", by: rotated)) == .refuse(.untrusted))
        // The retired key: within the grace still n2, from its end on nobody.
        #expect(judge(announcement(issued: now + grace - 1)) == .accept)
        #expect(judge(announcement(issued: now + grace)) == .refuse(.untrusted))
        // The grace runs on this node's clock, not on the announcement's date.
        #expect(judge(announcement(issued: now + grace - 1), at: now + grace) == .refuse(.untrusted))
        // The new key still needs a valid signature.
        let made = announcement(by: rotated)
        let forged = made.text.replacingOccurrences(of: "tcp:10.0.0.2:7007", with: "tcp:10.0.0.9:7007")
        #expect(judge(try #require(DiscoveryAnnouncement(datagram: Array(forged.utf8)))) == .refuse(.badSignature))
    }

    @Test func theAnnouncedAddressIsTheInterfacesForAWildcardListener() {
        #expect(DiscoveryService.announcedAddress(listen: "0.0.0.0:7007", interfaceAddress: "10.1.2.3") == "tcp:10.1.2.3:7007")
        #expect(DiscoveryService.announcedAddress(listen: "[::]:7007", interfaceAddress: "10.1.2.3") == "tcp:10.1.2.3:7007")
        #expect(DiscoveryService.announcedAddress(listen: "10.9.9.9:7007", interfaceAddress: "10.1.2.3") == "tcp:10.9.9.9:7007")
        #expect(DiscoveryService.announcedAddress(listen: nil, interfaceAddress: "10.1.2.3") == nil)
        #expect(DiscoveryService.groupAddress("239.255.7.7:7077") != nil)
        #expect(DiscoveryService.groupAddress("10.0.0.1:7077") == nil)
        #expect(DiscoveryService.groupAddress("239.255.7.7:0") == nil)
        #expect(DiscoveryService.groupAddress("[ff02::7]:7077") == nil)
    }
}
