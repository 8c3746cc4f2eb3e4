extension Message {
    /// Parses one complete frame from an authenticated session (``MessageView``'s reading,
    /// with its own arrays).
    package init(frame: Frame) {
        self = MessageView.parse(.frame(frame)).owned
    }

    /// Parses `[(<id>)][ ]*<token>[ <args>]` (docs/protocol.md §4).
    package static func parseLine(_ line: [UInt8]) -> Message {
        MessageView.parseLine(line[...]).owned
    }

    /// Parses a multi-line command: header lines until the first blank line, then the body.
    static func parseMultiline(header: [UInt8], lines: [[UInt8]]) -> Message {
        var headerLine = header
        while let last = headerLine.last, Bytes.isBlankByte(last) { headerLine.removeLast() }
        if headerLine.last == UInt8(ascii: "+") { headerLine.removeLast() }
        guard case .command(var command) = parseLine(headerLine) else { return parseLine(headerLine) }
        var headers: [(key: [UInt8], value: [UInt8])] = []
        var body: [[UInt8]] = []
        var inBody = false
        for line in lines {
            if inBody {
                body.append(line.starts(with: [0x2E, 0x2E]) ? Array(line.dropFirst()) : line)
            } else if Bytes.isBlank(line) {
                inBody = true
            } else if let pair = parseHeader(line) {
                headers.append(pair)
            } else {
                return .invalid(.multilineSyntax(id: command.id))
            }
        }
        command.multiline = Multiline(headers: headers, body: body)
        return .command(command)
    }

    /// `key[ \t]*(=|:)[ \t]*value`, outer blanks trimmed.
    private static func parseHeader(_ line: [UInt8]) -> (key: [UInt8], value: [UInt8])? {
        guard let separator = line.firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "=") })
        else { return nil }
        let keyStart = Bytes.skipBlanks(line, from: 0)
        guard keyStart < separator else { return nil }
        let key = Bytes.trimTrailingBlanks(line[keyStart..<separator])
        guard !key.contains(where: Bytes.isBlankByte) else { return nil }
        let valueStart = Bytes.skipBlanks(line, from: separator + 1)
        let value = Bytes.trimTrailingBlanks(line[valueStart...])
        return (Array(key), Array(value))
    }

    /// Where the parts of a line start (docs/protocol.md §4, §5): its `(<id>)` (0 when none) and
    /// its token (a run of path bytes, possibly empty), or `!TERM!`. The one reading of a line's
    /// head, shared by the router (``MessageView/parseLine(_:)``) and receivers (``Received/init(parsing:body:)``:
    /// `P7Connection`, `p7`, the SDK), so both agree on ids, keywords and `!TERM!`.
    package struct LineHead: Equatable {
        package var id: UInt64
        /// The token's bytes, as indices into the line.
        package var token: Range<Int>
        /// `!TERM!` (then ``token`` covers those six bytes).
        package var isTerminate = false
    }

    /// The head of `line`; `.success(nil)` for a blank line, a failure for a malformed id.
    package static func head(of line: [UInt8]) -> Result<LineHead?, ParseError> {
        head(of: line[...])
    }

    /// ``head(of:)-([UInt8])`` of a slice; the token's range is in the slice's indices.
    /// Read through a buffer pointer: it runs for every line a session sends, and indexing the
    /// slice checked bounds and kept its storage alive at every byte (docs/performance.md
    /// "Router CPU per pipelined request").
    static func head(of line: ArraySlice<UInt8>) -> Result<LineHead?, ParseError> {
        let base = line.startIndex
        return line.withUnsafeBufferPointer { bytes -> Result<LineHead?, ParseError> in
            let end = bytes.count
            var index = 0
            while index < end && Bytes.isBlankByte(bytes[index]) { index += 1 }
            guard index < end else { return .success(nil) }
            if bytes[index] == UInt8(ascii: "!"), end - index >= 6,
               UnsafeBufferPointer(rebasing: bytes[index..<(index + 6)]).elementsEqual("!TERM!".utf8) {
                return .success(LineHead(id: 0, token: (base + index)..<(base + index + 6), isTerminate: true))
            }
            var id: UInt64 = 0
            if bytes[index] == UInt8(ascii: "(") {
                var close = index + 1
                while close < end && bytes[close] != UInt8(ascii: ")") { close += 1 }
                guard close < end else { return .failure(.mismatch(id: 0)) }
                let digits = close - index - 1
                guard (1...15).contains(digits) else { return .failure(.invalidCommandID) }
                for position in (index + 1)..<close {
                    let byte = bytes[position]
                    guard Bytes.isDigit(byte) else { return .failure(.invalidCommandID) }
                    id = id * 10 + UInt64(byte - 0x30)
                }
                index = close + 1
                while index < end && Bytes.isBlankByte(bytes[index]) { index += 1 }
            }
            let tokenStart = index
            while index < end && Bytes.isPathByte(bytes[index]) { index += 1 }
            return .success(LineHead(id: id, token: (base + tokenStart)..<(base + index)))
        }
    }
}
