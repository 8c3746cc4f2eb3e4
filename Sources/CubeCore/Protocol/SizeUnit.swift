/// What the count of a `SIZE`/`STRM` header counts (docs/protocol.md §5, "Body counts").
///
/// The original Perl implementation decodes UTF-8 before it counts, so its peers count
/// characters; this project's tools count bytes, which keeps binary bodies intact. Each
/// session has one unit for both directions: characters until the peer asks for bytes with
/// `size-unit bytes`, bytes from the start for sessions only our own code can open.
public enum SizeUnit: String, Sendable {
    /// Every byte is one unit.
    case bytes
    /// Every UTF-8 character is one unit; so is every byte that is not part of a well-formed
    /// UTF-8 sequence (one unit per maximal ill-formed subpart, as the Unicode standard's
    /// "U+FFFD substitution of maximal subparts" counts replacement characters).
    case characters

    /// The count to write for `body` in this unit.
    public func count(_ body: some Collection<UInt8>) -> Int {
        switch self {
        case .bytes:
            return body.count
        case .characters:
            let bytes = Array(body)
            var index = 0
            var units = 0
            while index < bytes.count {
                // At the end of the body a truncated sequence is one unit: nothing can complete it.
                index += Self.unitLength(bytes, at: index, end: bytes.count) ?? (bytes.count - index)
                units += 1
            }
            return units
        }
    }

    /// The byte length of the character unit starting at `index` when only `buffer[index..<end]`
    /// has arrived; nil when that cannot be known yet (a UTF-8 sequence whose remaining bytes
    /// have not arrived).
    static func unitLength(_ buffer: [UInt8], at index: Int, end: Int) -> Int? {
        let lead = buffer[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 1  // a continuation byte or a byte that never starts a sequence
        }
        var cursor = index + 1
        while cursor < index + length {
            guard cursor < end else { return nil }
            let byte = buffer[cursor]
            // Only the first continuation byte has the narrowed range.
            let range: ClosedRange<UInt8> = cursor == index + 1 ? low...high : 0x80...0xBF
            guard range.contains(byte) else { return cursor - index }
            cursor += 1
        }
        return length
    }
}
