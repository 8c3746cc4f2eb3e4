/// RFC 4648 base32 (`A–Z2–7`, no padding), as keys and signatures are written on the wire
/// (PROTOCOL.md §3.5). The same strict rules as CubeAuth's `Base32`, repeated here because
/// CubeCore depends on nothing: one text per byte string, lowercase and padding refused.
enum TopologyBase32 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes bytes without padding.
    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = ((buffer << 8) | UInt32(byte)) & 0xFFFF
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes canonical unpadded base32, or nil.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        switch text.count % 8 {
        case 1, 3, 6: return nil
        default: break
        }
        var output: [UInt8] = []
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
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }

    /// True if every character is a base32 symbol (length and trailing bits not checked).
    static func isAlphabet(_ text: some Collection<UInt8>) -> Bool { text.allSatisfy { value(of: $0) != nil } }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): character - UInt8(ascii: "2") + 26
        default: nil
        }
    }
}
