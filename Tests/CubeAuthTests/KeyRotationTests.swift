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

    @Test func aFollowedRotationLetsTheRetiredKeyInForADayAndRoundTripsThroughItsFile() throws {
        let statement = KeyRotation.issue(from: old, to: new, issued: 1_000)
        var retired = RetiredNodeKeys()
        retired.record(node: "tcp:a:1", statement)
        let day = KeyRotation.retiredGraceSeconds
        #expect(day == 86_400)
        #expect(retired.retired(node: "tcp:a:1", presented: old.publicKey, pinned: new, now: 1_000 + day - 1) == statement)
        #expect(retired.retired(node: "tcp:a:1", presented: old.publicKey, pinned: new, now: 1_000 + day) == nil)
        #expect(retired.retired(node: "tcp:a:1", presented: old.publicKey, pinned: new, now: 1_000, grace: 0) == nil)
        // Only that node, only from the retired key to the pinned one.
        #expect(retired.retired(node: "tcp:b:1", presented: old.publicKey, pinned: new, now: 1_000) == nil)
        #expect(retired.retired(node: "tcp:a:1", presented: TestSupport.identity(3).publicKey, pinned: new, now: 1_000) == nil)
        #expect(retired.retired(node: "tcp:a:1", presented: new, pinned: old.publicKey, now: 1_000) == nil)
        #expect(try RetiredNodeKeys(parsing: retired.text) == retired)
        // A forged statement in the file does not let a key in.
        let altered = try #require(KeyRotation(text: statement.text.replacingFirst(" 1000 ", with: " 1001 ")))
        var forged = RetiredNodeKeys()
        forged.record(node: "tcp:a:1", altered)
        #expect(forged.retired(node: "tcp:a:1", presented: old.publicKey, pinned: new, now: 1_001) == nil)
        #expect(throws: AuthError.self) { try RetiredNodeKeys(parsing: "tcp:a:1 " + statement.text + " extra\n") }
        #expect(RetiredNodeKeys.path(besideKnownNodes: "/h/known-nodes") == "/h/known-nodes.rotations")
    }
}
