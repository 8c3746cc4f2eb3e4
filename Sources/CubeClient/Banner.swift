import CubeCore

/// Recognises the 32-byte connection banner (docs/protocol.md §2).
enum Banner {
    /// Length of a banner including its LF.
    static let length = 32

    private static let prefix = Array(#"\\PROTOCOL-7-VERSION\\"#.utf8)
    private static let suffix = Array(#"\\"#.utf8) + [Wire.lf]

    /// True if `line` (including its LF) has the shape `^\\PROTOCOL-7-VERSION\\[A-Z2-7]{7}\\⏎$`.
    /// The version itself is deliberately not compared, so a newer server is still accepted.
    static func isValid(_ line: [UInt8]) -> Bool {
        guard line.count == length, line.starts(with: prefix), line.suffix(suffix.count).elementsEqual(suffix)
        else { return false }
        let version = line[prefix.count..<(length - suffix.count)]
        return version.count == 7 && version.allSatisfy(isBase32)
    }

    /// RFC 4648 base32 alphabet: `A-Z` and `2-7`.
    private static func isBase32(_ byte: UInt8) -> Bool {
        Bytes.isUpper(byte) || (byte >= UInt8(ascii: "2") && byte <= UInt8(ascii: "7"))
    }
}
