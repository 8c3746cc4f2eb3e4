import CSodium
import CubeAuth
import Testing

@Suite struct SecureRandomTests {
    private static let alphabet = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    @Test func sessionKeyHas44AlphanumericCharacters() {
        for _ in 0..<50 {
            let key = SecureRandom.sessionKey()
            #expect(key.count == 44)
            #expect(key.utf8.count == 44)
            #expect(key.allSatisfy { Self.alphabet.contains($0) })
        }
    }

    @Test func sessionKeysAreUnique() {
        let keys = (0..<200).map { _ in SecureRandom.sessionKey() }
        #expect(Set(keys).count == keys.count)
    }

    @Test func sessionKeysUseTheWholeAlphabet() {
        // 200 keys hold 8800 draws; missing one of 62 characters is astronomically unlikely.
        let seen = Set((0..<200).flatMap { _ in SecureRandom.sessionKey() })
        #expect(seen == Self.alphabet)
    }

    @Test func bytesAndUInt64AreRandom() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(32).count == 32)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        #expect(SecureRandom.uint64() != SecureRandom.uint64())
    }

    /// `initialize` really initialises libsodium (a second `sodium_init` reports "already
    /// done", 1, where a first one would report 0), and calls from many threads at once are safe.
    @Test func initializeInitialisesLibsodiumOnceFromAnyThread() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 { group.addTask { Sodium.initialize() } }
        }
        Sodium.initialize()
        #expect(sodium_init() == 1)
    }
}
