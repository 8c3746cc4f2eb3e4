/// Recognisers for the two header lines that change how the following bytes are framed.
///
/// They read a line in place, as a slice of the decoder's buffer (indices are the slice's).
enum FrameHeader {
    /// `[(<id>)][ ]*<path>+[ \t]*` where the path starts with a lower-case letter or digit.
    static func isMultilineHeader(_ line: ArraySlice<UInt8>) -> Bool {
        // Every line after login is asked; almost none is a header, and its end tells.
        guard let last = line.lastIndex(where: { !Bytes.isBlankByte($0) }), line[last] == UInt8(ascii: "+") else {
            return false
        }
        var index = Bytes.skipBlanks(line, from: line.startIndex)
        index = skipOptionalID(line, from: index)
        while index < line.endIndex && line[index] == Wire.space { index += 1 }
        guard index < line.endIndex, Bytes.isLowerOrDigit(line[index]) else { return false }
        while index < line.endIndex && Bytes.isPathByte(line[index]) { index += 1 }
        guard index < line.endIndex, line[index] == UInt8(ascii: "+") else { return false }
        return Bytes.isBlank(line[(index + 1)...])
    }

    /// The byte count of a `[(<id>)][ ]*SIZE|STRM <n>` line, or nil if the line is not one.
    static func bodyLength(_ line: ArraySlice<UInt8>) -> Int? {
        var index = Bytes.skipBlanks(line, from: line.startIndex)
        index = skipOptionalID(line, from: index)
        while index < line.endIndex && line[index] == Wire.space { index += 1 }
        // Both keywords start with `S`: most lines are turned away by that one byte.
        guard line.endIndex - index >= 6, line[index] == UInt8(ascii: "S") else { return nil }
        guard ReplyKeyword.read(line[index..<(index + 4)])?.hasBody == true else { return nil }
        index += 4
        guard line[index] == Wire.space else { return nil }
        while index < line.endIndex && line[index] == Wire.space { index += 1 }
        var value = 0
        var digits = 0
        while index < line.endIndex, Bytes.isDigit(line[index]) {
            value = value * 10 + Int(line[index] - 0x30)
            digits += 1
            guard digits <= 12 else { return nil }
            index += 1
        }
        guard digits > 0, Bytes.isBlank(line[index...]) else { return nil }
        return value
    }

    /// Skips `(<digits>)` if present; returns the index after it (or `index` unchanged).
    private static func skipOptionalID(_ line: ArraySlice<UInt8>, from index: Int) -> Int {
        guard index < line.endIndex, line[index] == UInt8(ascii: "(") else { return index }
        var cursor = index + 1
        while cursor < line.endIndex, Bytes.isDigit(line[cursor]) { cursor += 1 }
        guard cursor < line.endIndex, line[cursor] == UInt8(ascii: ")"), cursor > index + 1 else { return index }
        return cursor + 1
    }
}
