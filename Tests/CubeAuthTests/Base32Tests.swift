import CubeAuth
import CubeCore
import Testing

@Suite struct Base32Tests {
    /// RFC 4648 §10 vectors without padding.
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI"),
    ]

    @Test(arguments: vectors) func encodesAndDecodesTheRFC4648Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test func keysAndSignaturesHaveTheDocumentedLengths() {
        #expect(Base32.encode([UInt8](repeating: 0xA5, count: 32)).count == 52)
        #expect(Base32.encode([UInt8](repeating: 0xA5, count: 64)).count == 103)
    }

    @Test(arguments: ["my", "MY==", "MZXW6===", "M", "MZX", "MZXW6Y", "MZ", "MZXR", "M1", "MY ", "MY\n", "ÄÄ"])
    func rejectsLowercasePaddingBadLengthsAndTrailingBits(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test func roundTripsEveryLength() {
        var generator = SeededGenerator(seed: 7)
        for count in 0..<80 {
            let bytes = generator.bytes(count)
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }
}
