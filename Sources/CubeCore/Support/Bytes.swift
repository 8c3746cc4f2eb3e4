/// Small byte-class helpers shared by the parsers. ASCII only: the protocol's syntax is ASCII,
/// everything else passes through untouched.
package enum Bytes {
    @inline(__always) package static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) package static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7A }
    @inline(__always) package static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
    @inline(__always) package static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isLower(byte) || isUpper(byte) }
    @inline(__always) static func isLowerOrDigit(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    @inline(__always) static func isBlankByte(_ byte: UInt8) -> Bool { byte == Wire.space || byte == Wire.tab }

    /// Characters of a command path token: `[0-9A-Za-z_\-\[\].]`.
    @inline(__always) static func isPathByte(_ byte: UInt8) -> Bool {
        isAlnum(byte) || byte == 0x2D || byte == 0x5F || byte == 0x5B || byte == 0x5D || byte == 0x2E
    }

    /// Whether `bytes` spell `text`. A `StaticString`, not `String.utf8`: a small string has no
    /// contiguous bytes to compare with, and the router asks this for every routed command.
    @inline(__always)
    static func equals(_ bytes: ArraySlice<UInt8>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { $0.count == bytes.count && bytes.elementsEqual($0) }
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
