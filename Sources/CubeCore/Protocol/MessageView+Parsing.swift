extension MessageView {
    /// Parses one complete frame from an authenticated session; a borrowed line is parsed in
    /// place (its parts stay slices of it).
    ///
    /// A function, not an initialiser: an initialiser takes its argument owned, which cost a
    /// copy of the frame (a retain of the line's storage) per line.
    static func parse(_ frame: BorrowedFrame) -> MessageView {
        switch frame {
        case .line(let line):
            return parseLine(line)
        case .frame(.line(let line)):
            return parseLine(line[...])
        case .frame(.multiline(let header, let lines)):
            return MessageView(Message.parseMultiline(header: header, lines: lines))
        case .frame(.body(let header, let body)):
            let message = parseLine(header[...])
            if case .reply(var reply) = message {
                reply.text = []
                reply.body = body
                return .reply(reply)
            }
            return message
        case .frame(.lineTooLong), .frame(.bodyTooLarge):
            return .invalid(.mismatch(id: 0))
        }
    }

    /// Parses `[(<id>)][ ]*<token>[ <args>]` (docs/protocol.md §4) without copying: the
    /// command's path and arguments and the reply's text are slices of `line`.
    static func parseLine(_ line: ArraySlice<UInt8>) -> MessageView {
        // Consumed, so that the parts move into the view instead of being copied out of it.
        let split = splitLine(line)
        switch consume split {
        case .malformed(let error): return .invalid(error)
        case .blank: return .empty
        case .parts(let parts):
            if parts.isTerminate { return .terminate }
            if let keyword = ReplyKeyword(token: parts.token) {
                return .reply(ReplyView(id: parts.id, keyword: keyword, text: parts.args ?? []))
            }
            // All upper case (some capital, no small letter) and not a keyword: a bad reply type.
            // Anything else goes on as a command; the path check rejects what is malformed.
            if parts.token.contains(where: Bytes.isUpper) && !parts.token.contains(where: Bytes.isLower) {
                return .invalid(.invalidReplyType(id: parts.id))
            }
            return .command(CommandView(id: parts.id, path: parts.token, args: parts.args))
        }
    }

    /// Pieces of a line as slices of it.
    private struct LineParts {
        var id: UInt64
        var token: ArraySlice<UInt8>
        var args: ArraySlice<UInt8>?
        var isTerminate = false
    }

    /// What ``splitLine(_:)`` found. Not a `Result<LineParts?, ParseError>`: the generic
    /// `Result` of a type holding references was destroyed through its value witnesses, for
    /// every line.
    private enum LineSplit {
        case blank
        case malformed(ParseError)
        case parts(LineParts)
    }

    /// Splits a line into id, token and arguments.
    private static func splitLine(_ line: ArraySlice<UInt8>) -> LineSplit {
        let head: Message.LineHead
        switch Message.head(of: line) {
        case .failure(let error): return .malformed(error)
        case .success(nil): return .blank
        case .success(.some(let found)): head = found
        }
        if head.isTerminate { return .parts(LineParts(id: 0, token: line[head.token], isTerminate: true)) }
        guard !head.token.isEmpty else { return .malformed(.mismatch(id: head.id)) }
        let index = head.token.upperBound
        let token = line[head.token]
        let rest = line[index...]
        if Bytes.isBlank(rest) { return .parts(LineParts(id: head.id, token: token)) }
        guard line[index] == Wire.space else { return .malformed(.mismatch(id: head.id)) }
        let argsStart = Bytes.skipBlanks(line, from: index)
        let args = Bytes.trimTrailingBlanks(line[argsStart...])
        return .parts(LineParts(id: head.id, token: token, args: args.isEmpty ? nil : args))
    }
}
