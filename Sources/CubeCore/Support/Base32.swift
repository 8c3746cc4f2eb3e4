/// RFC 4648 base32 (alphabet `A–Z2–7`) without padding, the text form of keys and signatures.
///
/// A 32-byte key is 52 characters, a 64-byte signature or secret key 103. In CubeCore so that
/// adverts (CubeCore) and keys and handshakes (CubeAuth) share one strict codec.
package enum Base32 {
    /// The 32 symbols, in value order.
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes bytes without padding.
    /// - Parameter bytes: the input.
    /// - Returns: `ceil(8 * count / 5)` characters from `A–Z2–7`.
    package static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: encode(utf8: bytes), as: UTF8.self)
    }

    /// Encodes bytes without padding into ASCII bytes (lets callers wipe an encoded secret).
    package static func encode(utf8 bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return output
    }

    /// Decodes unpadded base32, strictly.
    ///
    /// Rejects lowercase letters, `=` padding, any other character, a length that no byte
    /// count encodes to (remainder 1, 3 or 6 modulo 8) and non-zero trailing bits, so every
    /// byte string has exactly one accepted text form.
    /// - Parameter text: the encoded text.
    /// - Returns: the bytes, or nil if `text` is not canonical unpadded base32.
    package static func decode(_ text: String) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    /// Decodes unpadded base32 given as bytes (see ``decode(_:)``).
    package static func decode(utf8 text: some Collection<UInt8>) -> [UInt8]? {
        switch text.count % 8 {
        case 1, 3, 6: return nil
        default: break
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text {
            guard let value = value(of: character) else { return nil }
            buffer = ((buffer << 5) | UInt32(value)) & 0xFFF
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        // Leftover bits (fewer than 8) must be zero for the encoding to be canonical.
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }

    /// The 5-bit value of one symbol, or nil for a character outside the alphabet.
    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): character - UInt8(ascii: "2") + 26
        default: nil
        }
    }
}
