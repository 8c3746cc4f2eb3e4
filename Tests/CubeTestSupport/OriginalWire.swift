/// How the original Perl implementation frames its input, written from the reference
/// transcripts (../shared/reference), not from this project's code: every peer decodes UTF-8
/// and counts `SIZE`/`STRM` bodies in characters; command ids have 2–15 digits.
public enum OriginalWire {
    /// The banner every original cube sends first.
    public static let banner = #"\\PROTOCOL-7-VERSION\\NZXZDSA\\"# + "\n"

    /// The number of characters in `bytes` as the original counts them (Perl's `length` after
    /// `utf8::decode`: one per code point).
    public static func characters(_ bytes: some Collection<UInt8>) -> Int {
        String(decoding: Array(bytes), as: UTF8.self).unicodeScalars.count
    }

    /// The byte length of the first `count` characters of `bytes`, or nil while fewer have
    /// arrived (the original waits for the rest of a body before it reads on).
    public static func prefixLength(of count: Int, characters bytes: [UInt8], from start: Int = 0) -> Int? {
        var index = start
        for _ in 0..<count {
            guard index < bytes.count else { return nil }
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            guard index + length <= bytes.count else { return nil }
            index += length
        }
        return index - start
    }

    /// True for an id the original accepts: 2–15 digits.
    public static func isValidID(_ text: Substring) -> Bool {
        (2...15).contains(text.count) && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// A `SIZE` reply as the original renders one: `%04d` characters, then the body.
    public static func size(id: UInt64, _ body: String) -> [UInt8] {
        let count = String(characters(Array(body.utf8)))
        let padded = String(repeating: "0", count: max(0, 4 - count.count)) + count
        return Array(((id > 0 ? "(\(id))" : "") + "SIZE \(padded)\n" + body).utf8)
    }
}
