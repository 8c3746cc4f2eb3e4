import CubeAuth
import Testing

@Suite struct PasswordHashTests {
    @Test func hashThenVerifyAcceptsTheSamePassword() throws {
        let stored = try PasswordHash.hash(Array("correct horse".utf8))
        #expect(stored.hasPrefix("$argon2id$"))
        #expect(PasswordHash.looksLikeHash(stored))
        #expect(PasswordHash.verify(Array("correct horse".utf8), against: stored))
    }

    @Test func verifyRejectsAWrongPassword() throws {
        let stored = try PasswordHash.hash(Array("correct horse".utf8))
        #expect(!PasswordHash.verify(Array("correct horsf".utf8), against: stored))
        #expect(!PasswordHash.verify([], against: stored))
    }

    @Test func emptyAndBinaryPasswordsWork() throws {
        let empty = try PasswordHash.hash([])
        #expect(PasswordHash.verify([], against: empty))
        let binary: [UInt8] = [0, 0xFF, 0x0A, 0x80]
        let stored = try PasswordHash.hash(binary)
        #expect(PasswordHash.verify(binary, against: stored))
        #expect(!PasswordHash.verify([0, 0xFF, 0x0A], against: stored))
    }

    @Test(arguments: [
        "",
        "plain text",
        "$argon2id$",
        "$argon2id$v=19$m=65536,t=2,p=1$garbage",
        "$2y$10$abcdefghijklmnopqrstuv",
        "$argon2id$v=19$m=65536,t=2,p=1$" + String(repeating: "A", count: 200),
        "$argon2id$v=19\u{0}$m=65536",
    ])
    func verifyRejectsMalformedStoredStrings(_ stored: String) {
        #expect(!PasswordHash.verify(Array("pw".utf8), against: stored))
    }

    @Test func looksLikeHashRecognisesArgon2Prefixes() {
        #expect(PasswordHash.looksLikeHash("$argon2id$v=19$..."))
        #expect(PasswordHash.looksLikeHash("$argon2i$v=19$..."))
        #expect(!PasswordHash.looksLikeHash("$argon2d$v=19$..."))
        #expect(!PasswordHash.looksLikeHash(":unix:root"))
    }
}
