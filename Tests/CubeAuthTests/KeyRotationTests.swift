import CubeAuth
import Testing

/// The rotation statement (docs/security.md, "Node key rotation").
@Suite struct KeyRotationTests {
    let old = TestSupport.identity(1)
    let new = TestSupport.identity(2).publicKey

    @Test func aStatementRoundTripsAndVerifiesWithinTheGracePeriod() throws {
        let statement = KeyRotation.issue(from: old, to: new, issued: 1_000)
        let parsed = try #require(KeyRotation(text: statement.text))
        #expect(parsed == statement)
        #expect(parsed.verify(pinned: old.publicKey, presented: new, now: 1_000 + KeyRotation.graceSeconds) == nil)
        #expect(parsed.verify(pinned: old.publicKey, presented: new, now: 1_001 + KeyRotation.graceSeconds)?.contains("days ago") == true)
        #expect(parsed.verify(pinned: new, presented: new, now: 1_000)?.contains("not from the pinned key") == true)
        #expect(parsed.verify(pinned: old.publicKey, presented: old.publicKey, now: 1_000)?.contains("not to the key") == true)
    }

    @Test func anAlteredStatementDoesNotVerifyAndJunkDoesNotParse() {
        let statement = KeyRotation.issue(from: old, to: new, issued: 1_000)
        let altered = KeyRotation(text: statement.text.replacingFirst(" 1000 ", with: " 1001 "))
        #expect(altered?.verify(pinned: old.publicKey, presented: new, now: 1_001)?.contains("signature") == true)
        for junk in ["", "a b c d", statement.text + " x", statement.text.replacingFirst(" 1000 ", with: " 01000 ")] {
            #expect(KeyRotation(text: junk) == nil, "\(junk)")
        }
    }
}
