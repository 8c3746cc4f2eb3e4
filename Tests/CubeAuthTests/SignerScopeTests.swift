import CubeAuth
import Testing

/// Scoped signers (issue 19, docs/security.md "Scoped signers").
@Suite struct SignerScopeTests {
    let node = TestSupport.identity(1)
    let hq = TestSupport.identity(2)
    let user = TestSupport.identity(3).publicKey

    @Test func wildcardsNeverReachPrivilegedNames() {
        let scope = SignerScope(names: ["remote-*", "admin"], maximumDays: nil)
        #expect(scope.permits("remote-bob", privileged: false))
        #expect(!scope.permits("remote-bob", privileged: true))
        #expect(scope.permits("admin", privileged: true))
        #expect(!scope.permits("bob", privileged: false))
        #expect(!SignerScope.anyUnprivilegedName.permits("v7", privileged: true))
        #expect(SignerScope.anyUnprivilegedName.permits("anybody", privileged: false))
        #expect(SignerScope.ownNode.permits("admin", privileged: true))
    }

    @Test func verifyChecksScopeAndLongestValidity() {
        let signers: [PublicKey: SignerScope] = [hq.publicKey: SignerScope(names: ["dev-*"], maximumDays: 7)]
        let good = KeyCertificate.issue(for: user, name: "dev-ann", expires: 1_000 + 86_400, by: hq)
        #expect(good.verify(signers: signers, privileged: [], now: 1_000).success?.name == "dev-ann")
        let name = KeyCertificate.issue(for: user, name: "ops-ann", expires: 1_000 + 86_400, by: hq)
        #expect(name.verify(signers: signers, privileged: [], now: 1_000).failure
                == .nameOutOfScope(name: "ops-ann", signer: hq.publicKey))
        let long = KeyCertificate.issue(for: user, name: "dev-ann", expires: 1_000 + 8 * 86_400, by: hq)
        #expect(long.verify(signers: signers, privileged: [], now: 1_000).failure == .validityTooLong(maximumDays: 7))
        // Within its last seven days the same certificate is accepted.
        #expect(long.verify(signers: signers, privileged: [], now: 1_000 + 86_400).success != nil)
        let privileged = KeyCertificate.issue(for: user, name: "dev-root", expires: 1_000 + 86_400, by: hq)
        #expect(privileged.verify(signers: signers, privileged: ["dev-root"], now: 1_000).failure
                == .nameOutOfScope(name: "dev-root", signer: hq.publicKey))
    }

    @Test func theIdIsStableAndDiffersPerCertificate() {
        let one = KeyCertificate.issue(for: user, name: "dev-ann", expires: 5_000, by: hq)
        let two = KeyCertificate.issue(for: user, name: "dev-ann", expires: 5_001, by: hq)
        #expect(one.id.count == 26 && one.id == KeyCertificate(text: one.text)?.id)
        #expect(one.id != two.id)
    }
}
