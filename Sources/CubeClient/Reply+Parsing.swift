import CubeCore

extension Reply {
    /// Reads `[(<id>)][ ]*KEYWORD[ <text>]` with CubeCore's reading of a line's head
    /// (`Message.head(of:)`, the router's own), so client and cube agree on ids and keywords.
    ///
    /// Never fails: a line that is no reply becomes ``Kind/other``. Unlike a command's
    /// arguments the text is kept exactly as sent after the one space behind the keyword. A space
    /// between `)` and the keyword is tolerated although the cube never sends one (the
    /// original's zenki sometimes do).
    /// - Parameters:
    ///   - line: one line without its LF.
    ///   - body: the body that followed it, if any.
    public init(parsing line: [UInt8], body: [UInt8] = []) {
        guard case .success(let found) = Message.head(of: line), let head = found else {
            // Blank, or a malformed id: all of it is text.
            let start = line.firstIndex { $0 != Wire.space && $0 != Wire.tab } ?? line.count
            self.init(id: nil, kind: .other, text: Array(line[start...]), body: body, raw: line)
            return
        }
        let id = head.id == 0 ? nil : head.id
        let end = head.token.upperBound
        let kind: Kind? = head.isTerminate ? .terminate : ReplyKeyword(token: line[head.token]).map(Kind.init)
        guard let kind, end == line.count || line[end] == Wire.space else {
            self.init(id: id, kind: .other, text: Array(line[head.token.lowerBound...]), body: body, raw: line)
            return
        }
        self.init(id: id, kind: kind, text: end == line.count ? [] : Array(line[(end + 1)...]), body: body, raw: line)
    }

    /// The reply in a frame as ``FrameDecoder`` cut it: a line, a `SIZE`/`STRM` header with its
    /// body, or a multi-line message with its unstuffed lines as the body. What `P7Connection`
    /// reads and what the SDK's zenki get.
    public init(frame: Frame) {
        switch frame {
        case .line(let line): self.init(parsing: line)
        case .body(let header, let body): self.init(parsing: header, body: body)
        case .multiline(let header, let lines): self.init(parsing: header, body: Self.unstuff(lines))
        case .bodyTooLarge(let header): self.init(parsing: header)
        case .lineTooLong: self.init(parsing: [])
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

extension Reply.Kind {
    /// The kind of a reply keyword.
    init(_ keyword: ReplyKeyword) {
        switch keyword {
        case .trueReply: self = .trueReply
        case .falseReply: self = .falseReply
        case .wait: self = .wait
        case .size: self = .size
        case .stream: self = .stream
        case .get: self = .get
        case .term: self = .term
        }
    }
}
