extension Received {
    /// Reads `[(<id>)][ ]*KEYWORD[ <text>]` with the router's own reading of a line's head
    /// (`Message.head(of:)`), so receivers and the cube agree on ids, keywords and `!TERM!`.
    ///
    /// Never fails: what is no reply is ``other(line:body:)``. Unlike the router, which trims a
    /// reply's text as it does a command's arguments before it relays it, a receiver keeps the
    /// text exactly as sent after the one space behind the keyword (`p7` prints it byte for
    /// byte). A space between `)` and the keyword is tolerated although the cube never sends
    /// one (the original's zenki sometimes do).
    /// - Parameters:
    ///   - line: one line without its LF.
    ///   - body: the body that followed it, if any (the reply's ``Reply/body``, or an other
    ///     message's).
    public init(parsing line: [UInt8], body: [UInt8]? = nil) {
        guard case .success(let found) = Message.head(of: line), let head = found else {
            // Blank, or a malformed id.
            self = .other(line: line, body: body)
            return
        }
        let end = head.token.upperBound
        guard end == line.count || line[end] == Wire.space else {
            self = .other(line: line, body: body)
            return
        }
        let text = end == line.count ? [] : Array(line[(end + 1)...])
        if head.isTerminate {
            self = .terminate(text: text)
        } else if let keyword = ReplyKeyword(token: line[head.token]) {
            self = .reply(Reply(id: head.id, keyword: keyword, text: text, body: body))
        } else {
            self = .other(line: line, body: body)
        }
    }

    /// The message in a frame as ``FrameDecoder`` cut it: a line; a `SIZE`/`STRM` header with
    /// its body (the text is the count as sent); a multi-line message (a command: the cube
    /// frames only those as multi-line) with its unstuffed lines as the body. An over-long
    /// line is an empty ``other(line:body:)``, an over-large body the bare header.
    public init(frame: Frame) {
        switch frame {
        case .line(let line): self.init(parsing: line)
        case .body(let header, let body): self.init(parsing: header, body: body)
        case .multiline(let header, let lines): self.init(parsing: header, body: Self.unstuff(lines))
        case .bodyTooLarge(let header): self.init(parsing: header)
        case .lineTooLong: self = .other(line: [])
        }
    }

    /// Joins multi-line body lines with LF, removing one leading `.` from dot-stuffed lines.
    private static func unstuff(_ lines: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = []
        for line in lines {
            body += line.first == UInt8(ascii: ".") ? Array(line.dropFirst()) : line
            body.append(Wire.lf)
        }
        return body
    }
}
