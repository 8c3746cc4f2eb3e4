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
        switch read(line) {
        case .empty: return .empty
        case .terminate: return .terminate
        case .invalid(let error): return .invalid(error)
        case .reply(let id, let keyword, let text):
            return .reply(ReplyView.reading(line, id: id, keyword: keyword, text: text))
        case .command(let id, let path, let args):
            return .command(CommandView.reading(line, id: id, path: path, args: args))
        }
    }

    /// What a line is, with its parts as index ranges into it (``LineReading``): the router
    /// slices the line into a view where it uses one, so the view is built once, in place,
    /// and not copied out of an enum and destroyed with it (two retains and two releases of
    /// the line's storage per command: docs/performance.md "Router CPU per pipelined request").
    static func read(_ line: ArraySlice<UInt8>) -> LineReading {
        switch splitLine(line) {
        case .malformed(let error): return .invalid(error)
        case .blank: return .empty
        case .parts(let parts):
            if parts.isTerminate { return .terminate }
            let token = line[parts.token]
            if let keyword = ReplyKeyword.read(token) {
                return .reply(id: parts.id, keyword: keyword, text: parts.args)
            }
            // All upper case (some capital, no small letter) and not a keyword: a bad reply type.
            // Anything else goes on as a command; the path check rejects what is malformed.
            if token.contains(where: Bytes.isUpper) && !token.contains(where: Bytes.isLower) {
                return .invalid(.invalidReplyType(id: parts.id))
            }
            return .command(id: parts.id, path: parts.token, args: parts.args)
        }
    }

    /// Where the pieces of a line are, as indices into it: plain integers, so that splitting
    /// a line retains nothing (slices of it, each holding its storage, were copied out of this
    /// and released with it for every line: docs/performance.md "Router CPU per pipelined
    /// request"); ``parseLine(_:)`` slices the line once for each piece it keeps.
    private struct LineParts {
        var id: UInt64
        var token: Range<Int>
        var args: Range<Int>?
        var isTerminate = false
    }

    /// What ``splitLine(_:)`` found. Not a `Result<LineParts?, ParseError>`: the generic
    /// `Result` was destroyed through its value witnesses, for every line.
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
        if head.isTerminate { return .parts(LineParts(id: 0, token: head.token, isTerminate: true)) }
        guard !head.token.isEmpty else { return .malformed(.mismatch(id: head.id)) }
        let index = head.token.upperBound
        var end = line.endIndex
        while end > index && Bytes.isBlankByte(line[end - 1]) { end -= 1 }
        if end == index { return .parts(LineParts(id: head.id, token: head.token)) }
        guard line[index] == Wire.space else { return .malformed(.mismatch(id: head.id)) }
        // A byte before `end` is not blank, so the skip stops short of it.
        return .parts(LineParts(id: head.id, token: head.token, args: Bytes.skipBlanks(line, from: index)..<end))
    }
}
