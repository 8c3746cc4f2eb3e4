import CubeCore
import Foundation
import Testing

/// The revocation state machine (docs/security.md, "Revocation").
@Suite struct RevocationListTests {
    let signer = ToySigner(publicKey: ToyMAC.key(for: "cube"))
    let alice = "key:" + ToyMAC.key(for: "alice")

    @Test func targetsAreKeysOrCertificateIds() {
        let key = ToyMAC.key(for: "bob")
        #expect(Revocation.target(forArgument: key) == "key:" + key)
        let id = String(repeating: "A", count: 26)
        #expect(Revocation.target(forArgument: id) == "cert:" + id)
        for bad in ["", "bob", String(key.dropLast()), key + "A", "a" + key.dropFirst(), String(repeating: "A", count: 25) + "B"] {
            #expect(Revocation.target(forArgument: bad) == nil, "\(bad)")
        }
    }

    @Test func aNewEntryClosesTheSessionsThatUsedItOnce() {
        var list = RevocationList()
        list.sessionOpened(1, credentials: [alice])
        list.sessionOpened(2, credentials: ["key:" + ToyMAC.key(for: "bob")])
        list.sessionOpened(3, credentials: [alice, "cert:" + String(repeating: "B", count: 26)])
        list.sessionClosed(3)
        let entry = Revocation.issue(target: alice, issued: 100, by: signer)
        #expect(list.add(entry) == .added(closing: [1]))
        #expect(list.add(entry) == .known)
        #expect(list.revocation(of: [alice]) == entry)
        #expect(list.revocation(of: ["key:" + ToyMAC.key(for: "bob")]) == nil)
        #expect(entry.verify(with: ToyVerifier()))
        #expect(list.entries == [entry])
    }

    /// At most ``RevocationList/maximumEntries`` in all, and a quarter of them per signer: one
    /// signer (a hostile node) filling the list stopped every other node's revocations.
    @Test func theListIsBoundedInAllAndPerSigner() {
        var list = RevocationList()
        let signers = (0..<5).map { ToyMAC.key(for: "node\($0)") }
        for index in 0..<RevocationList.maximumPerSigner {
            let target = "key:" + ToyMAC.key(for: "u0-\(index)")
            #expect(list.add(Revocation(target: target, issued: 1, signer: signers[0], signature: [])) == .added(closing: []))
        }
        #expect(list.add(Revocation(target: alice, issued: 1, signer: signers[0], signature: [])) == .full)
        #expect(list.add(Revocation(target: alice, issued: 1, signer: signers[1], signature: [])) == .added(closing: []))
        for signer in 1..<4 {
            for index in 0..<RevocationList.maximumPerSigner - (signer == 1 ? 1 : 0) {
                let target = "key:" + ToyMAC.key(for: "u\(signer)-\(index)")
                #expect(list.add(Revocation(target: target, issued: 1, signer: signers[signer], signature: [])) == .added(closing: []))
            }
        }
        #expect(list.count == RevocationList.maximumEntries)
        let late = Revocation(target: "key:" + ToyMAC.key(for: "late"), issued: 1, signer: signers[4], signature: [])
        #expect(list.add(late) == .full)
    }

    @Test func theTextFormRoundTripsAndRejectsDamage() throws {
        let entry = Revocation(target: alice, issued: 1_767_225_600, signer: ToyMAC.key(for: "cube"),
                               signature: Array(repeating: 7, count: 64))
        let text = RevocationList.render([entry])
        #expect(try RevocationList.parse("# comment\n\n" + text).get() == [entry])
        for damaged in [text.replacingOccurrences(of: " 1767225600 ", with: " 01767225600 "),
                        text.replacingOccurrences(of: "key:", with: "kee:"),
                        text.replacingOccurrences(of: " ", with: "  "),
                        String(text.dropLast(3)) + "\n"] {
            guard case .failure(let error) = RevocationList.parse(damaged) else {
                Issue.record("accepted \(damaged)")
                continue
            }
            #expect(error.line == 1)
        }
    }
}
