/// Small byte-class helpers shared by the parsers. ASCII only: the protocol's syntax is ASCII,
/// everything else passes through untouched.
package enum Bytes {
    @inline(__always) package static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) package static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    @inline(__always) package static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    @inline(__always) package static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isLower(byte) || isUpper(byte) }
    @inline(__always) static func isLowerOrDigit(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    @inline(__always) static func isBlankByte(_ byte: UInt8) -> Bool { byte == Wire.space || byte == Wire.tab }

    /// Characters of a command path token: `[0-9A-Za-z_\-\[\].]`. One bit per byte value
    /// in two words (the set is ASCII): a token's every byte is asked, on every line.
    @inline(__always) static func isPathByte(_ byte: UInt8) -> Bool {
        let word: UInt64
        switch byte >> 6 {
        case 0: word = 0x03FF_6000_0000_0000   // 0-9 (0x30-0x39), `.` (0x2E), `-` (0x2D)
        case 1: word = 0x07FF_FFFE_AFFF_FFFE   // A-Z, a-z, `[` (0x5B), `]` (0x5D), `_` (0x5F)
        default: return false
        }
        return word >> UInt64(byte & 63) & 1 != 0
    }

    /// Whether `bytes` spell `text`. A `StaticString`, not `String.utf8`: a small string has no
    /// contiguous bytes to compare with, and the router asks this for every routed command.
    @inline(__always)
    static func equals(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { $0.count == bytes.count && bytes.elementsEqual($0) }
    }

    /// Whether two byte runs are the same, compared eight bytes at a time: the generic
    /// `elementsEqual` walks both through iterators, and the router compares a routed path
    /// with the previous route's for every command (docs/performance.md "Router CPU per
    /// pipelined request"). The core imports no libc, so no `memcmp`.
    static func same(_ lhs: [UInt8], _ rhs: ArraySlice<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                var offset = 0
                while offset + 8 <= left.count {
                    guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                        == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                    offset += 8
                }
                while offset < left.count {
                    guard left[offset] == right[offset] else { return false }
                    offset += 1
                }
                return true
            }
        }
    }

    /// Index of the first LF in `bytes` at or after `index`, looked for eight bytes at a time
    /// (every line a session sends is scanned so: docs/performance.md "Router CPU per
    /// pipelined request").
    static func firstLF(in bytes: [UInt8], from index: Int) -> Int? {
        bytes.withUnsafeBytes { raw -> Int? in
            var offset = index
            let end = raw.count
            // A word's bytes equal to LF become zero after the XOR; the classic test for a
            // zero byte (`(x - 0x01…) & ~x & 0x80…`) then flags them, the lowest one exactly
            // (a borrow can only flag bytes above a zero one). Loaded little-endian on every
            // machine, so that "lowest" is the earliest byte: read in a big-endian machine's
            // own order, a borrow would flag a 0x0B just before the LF.
            while offset + 8 <= end {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                    ^ 0x0A0A_0A0A_0A0A_0A0A
                let found = (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
                if found != 0 { return offset + found.trailingZeroBitCount / 8 }
                offset += 8
            }
            while offset < end {
                if raw[offset] == Wire.lf { return offset }
                offset += 1
            }
            return nil
        }
    }

    /// Appends `bytes` with one copy where they are contiguous (the generic
    /// `append(contentsOf:)` of a slice costs several times as much for the short pieces a
    /// routed line is made of).
    @inline(__always)
    static func append(_ bytes: some Collection<UInt8>, to out: inout [UInt8]) {
        if bytes.withContiguousStorageIfAvailable({ out.append(contentsOf: $0) }) == nil {
            out.append(contentsOf: bytes)
        }
    }

    /// Whether `bytes` start with `text` (see ``equals(_:_:)``).
    @inline(__always)
    static func starts(_ bytes: ArraySlice<UInt8>, with text: StaticString) -> Bool {
        text.withUTF8Buffer { bytes.starts(with: $0) }
    }

    /// True if every byte is a space or a tab (also for an empty slice).
    static func isBlank(_ bytes: some Collection<UInt8>) -> Bool { bytes.allSatisfy(isBlankByte) }

    /// Index of the first byte at or after `index` that is not a space or tab.
    static func skipBlanks(_ bytes: [UInt8], from index: Int) -> Int {
        skipBlanks(bytes[...], from: index)
    }

    /// ``skipBlanks(_:from:)-([UInt8],_)`` in a slice (`index` is one of the slice's indices).
    static func skipBlanks(_ bytes: ArraySlice<UInt8>, from index: Int) -> Int {
        var cursor = index
        while cursor < bytes.endIndex && isBlankByte(bytes[cursor]) { cursor += 1 }
        return cursor
    }

    /// `bytes` without trailing spaces and tabs.
    static func trimTrailingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        while end > bytes.startIndex && isBlankByte(bytes[end - 1]) { end -= 1 }
        return bytes[bytes.startIndex..<end]
    }

    /// Appends the decimal digits of `value` (at least `width`, zero-padded) to `out`.
    ///
    /// Written digit by digit into `out`: every routed message renders one or two ids, and
    /// going through `String(value)` cost an allocation and a copy each time.
    @inline(__always)
    package static func appendDecimal(_ value: UInt64, minimumWidth width: Int = 1, to out: inout [UInt8]) {
        var digits = 1
        var divisor: UInt64 = 1
        while divisor <= value / 10 {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { out.append(0x30) }
        // Most significant digit first, straight into `out`.
        var rest = value
        while divisor > 0 {
            out.append(0x30 + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
