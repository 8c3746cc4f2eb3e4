import CubeAuth
import Testing

@Suite struct MemoryTests {
    @Test func wipeZeroesEveryByteAndKeepsTheLength() {
        var secret: [UInt8] = Array("hunter2".utf8)
        Memory.wipe(&secret)
        #expect(secret == [UInt8](repeating: 0, count: 7))
        var empty: [UInt8] = []
        Memory.wipe(&empty)
        #expect(empty.isEmpty)
    }

    @Test func authErrorDescribesTheFailingFunction() {
        let error = AuthError(function: "crypto_pwhash_str", code: -1)
        #expect(error.description.contains("crypto_pwhash_str"))
        #expect(error.kind == .sodiumFailure)
    }
}
