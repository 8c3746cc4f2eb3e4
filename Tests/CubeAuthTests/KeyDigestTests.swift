import CubeAuth
import Testing

@Suite struct KeyDigestTests {
    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }

    @Test func blake2b256OfEmptyInputMatchesKnownAnswer() {
        #expect(Self.hex(KeyDigest.blake2b([]))
            == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
    }

    @Test func blake2b512OfAbcMatchesRFC7693() {
        // RFC 7693 Appendix A: BLAKE2b-512("abc").
        #expect(Self.hex(KeyDigest.blake2b(Array("abc".utf8), length: 64))
            == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923")
    }

    @Test func digestLengthFollowsTheArgument() {
        #expect(KeyDigest.blake2b(Array("key".utf8), length: 16).count == 16)
        #expect(KeyDigest.blake2b(Array("key".utf8)) != KeyDigest.blake2b(Array("kez".utf8)))
    }
}
