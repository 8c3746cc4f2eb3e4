import CubeCore

extension Reply {
    /// Keywords and their kinds; `!TERM!` is handled separately since it never carries an id.
    private static let keywords: [(word: [UInt8], kind: Kind)] = [
        (Array("TRUE".utf8), .trueReply), (Array("FALSE".utf8), .falseReply), (Array("WAIT".utf8), .wait),
        (Array("SIZE".utf8), .size), (Array("STRM".utf8), .stream), (Array("GET".utf8), .get),
        (Array("TERM".utf8), .term), (Array("!TERM!".utf8), .terminate),
    ]

    /// Parses `[(<id>)][ ]*KEYWORD[ <text>]`.
    ///
    /// Never fails: a line that is no reply becomes ``Kind/other``. A space between `)` and the
    /// keyword is tolerated although the cube never sends one (the original's zenki sometimes do).
    /// - Parameters:
    ///   - line: one line without its LF.
    ///   - body: the body that followed it, if any.
    public init(parsing line: [UInt8], body: [UInt8] = []) {
        var index = Self.skipBlanks(line, from: 0)
        var id: UInt64?
        if let (value, end) = Self.parseID(line, from: index) {
            id = value == 0 ? nil : value
            index = Self.skipBlanks(line, from: end)
        }
        let rest = line[index...]
        for (word, kind) in Self.keywords where rest.starts(with: word) {
            let after = index + word.count
            if after == line.count {
                self.init(id: id, kind: kind, text: [], body: body, raw: line)
                return
            }
            if line[after] == Wire.space {
                self.init(id: id, kind: kind, text: Array(line[(after + 1)...]), body: body, raw: line)
                return
            }
        }
        self.init(id: id, kind: .other, text: Array(rest), body: body, raw: line)
    }

    /// Parses `(<digits>)` at `index`; returns the value and the index after `)`, or nil if the
    /// line has no well-formed id there (including one too large for 64 bits).
    private static func parseID(_ line: [UInt8], from index: Int) -> (UInt64, Int)? {
        guard index < line.count, line[index] == UInt8(ascii: "(") else { return nil }
        var cursor = index + 1
        var value: UInt64 = 0
        while cursor < line.count, Bytes.isDigit(line[cursor]) {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(line[cursor] - 0x30))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            cursor += 1
        }
        guard cursor > index + 1, cursor < line.count, line[cursor] == UInt8(ascii: ")") else { return nil }
        return (value, cursor + 1)
    }

    private static func skipBlanks(_ line: [UInt8], from index: Int) -> Int {
        var cursor = index
        while cursor < line.count, line[cursor] == Wire.space || line[cursor] == Wire.tab { cursor += 1 }
        return cursor
    }
}
