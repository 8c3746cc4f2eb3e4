import CubeAuth
import Testing

@Suite struct KeyCertificateTests {
    let node = TestSupport.identity(1)
    let user = TestSupport.identity(2).publicKey

    @Test func issuedCertificateVerifiesAndRoundTripsAsText() throws {
        let certificate = KeyCertificate.issue(for: user, name: "alice", expires: 2_000, by: node)
        let text = certificate.text
        #expect(text.split(separator: " ").count == 5)
        #expect(text.hasPrefix("alice \(user) 2000 \(node.publicKey) "))
        let parsed = try #require(KeyCertificate(text: text))
        #expect(parsed == certificate)
        let result = try parsed.verify(trusting: [node.publicKey], now: 1_999).get()
        #expect(result.name == "alice" && result.key == user)
    }

    @Test func expiredUntrustedAndForgedCertificatesAreRefused() throws {
        let certificate = KeyCertificate.issue(for: user, name: "alice", expires: 2_000, by: node)
        #expect(certificate.verify(trusting: [node.publicKey], now: 2_000).failure == .expired(at: 2_000))
        let stranger = TestSupport.identity(3).publicKey
        #expect(certificate.verify(trusting: [stranger], now: 0).failure == .untrustedSigner(node.publicKey))
        // Change the name or the expiry: the signature no longer holds.
        for forged in [certificate.text.replacingFirst("alice", with: "admin"),
                       certificate.text.replacingFirst(" 2000 ", with: " 9000 ")] {
            let parsed = try #require(KeyCertificate(text: forged))
            #expect(parsed.verify(trusting: [node.publicKey], now: 0).failure == .badSignature)
        }
    }

    @Test(arguments: ["", "alice", "al ice K K K K", "alice \(TestSupport.identity(2).publicKey) 01 x y"])
    func malformedTextIsRejected(text: String) {
        #expect(KeyCertificate(text: text) == nil)
    }

    @Test func userNamesFollowTheProtocolGrammar() {
        #expect(UserName.isValid("alice"))
        #expect(UserName.isValid("a-b_c9"))
        #expect(!UserName.isValid(""))
        #expect(!UserName.isValid("-alice"))
        #expect(!UserName.isValid("al ice"))
        #expect(!UserName.isValid(String(repeating: "a", count: 18)))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
