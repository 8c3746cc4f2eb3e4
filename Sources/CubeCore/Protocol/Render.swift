/// Renders outbound wire messages (docs/protocol.md §5, §6).
package enum Render {
    /// `[(<id>)]KEYWORD <text>⏎`; LF inside `text` becomes the two characters `\n`.
    package static func reply(id: UInt64, _ keyword: ReplyKeyword, _ text: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 24)
        appendReply(id: id, keyword, text, to: &out)
        return out
    }

    /// The text reply above, appended to `out`: the router renders into the send it is building
    /// for the session (`Array.send(to:_:)`), not into an array per message.
    static func appendReply(id: UInt64, _ keyword: ReplyKeyword, _ text: some Collection<UInt8>, to out: inout [UInt8]) {
        appendID(id, to: &out)
        appendKeyword(keyword, to: &out)
        out.append(Wire.space)
        // Relayed texts almost never hold an LF: copy them whole, escape only when needed.
        if !text.contains(Wire.lf) {
            Bytes.append(text, to: &out)
        } else {
            for byte in text {
                if byte == Wire.lf {
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "n"))
                } else {
                    out.append(byte)
                }
            }
        }
        out.append(Wire.lf)
    }

    /// Convenience for local replies given as `String`.
    package static func reply(id: UInt64, _ keyword: ReplyKeyword, _ text: String) -> [UInt8] {
        reply(id: id, keyword, Array(text.utf8))
    }

    /// A typed reply on the wire: `SIZE`/`STRM` with its body counted in `unit`, any other
    /// keyword with its text.
    package static func reply(_ reply: Reply, unit: SizeUnit = .bytes) -> [UInt8] {
        if reply.keyword.hasBody, let body = reply.body { return Render.body(id: reply.id, reply.keyword, body, unit: unit) }
        return Render.reply(id: reply.id, reply.keyword, reply.text)
    }

    /// ``reply(_:unit:)`` appended to `out`.
    static func append(_ reply: Reply, unit: SizeUnit = .bytes, to out: inout [UInt8]) {
        append(reply.view, unit: unit, to: &out)
    }

    /// ``append(_:unit:to:)-(Reply,_,_)`` of a reply read in place (its text a slice of its line).
    static func append(_ reply: ReplyView, unit: SizeUnit = .bytes, to out: inout [UInt8]) {
        if reply.keyword.hasBody, let body = reply.body {
            appendBody(id: reply.id, reply.keyword, body, unit: unit, to: &out)
        } else {
            appendReply(id: reply.id, reply.keyword, reply.text, to: &out)
        }
    }

    /// `[(<id>)]SIZE <n, ≥4 digits>⏎<body>` or `[(<id>)]STRM <n>⏎<body>`.
    /// - Parameter unit: what `<n>` counts: the receiving session's unit (docs/protocol.md §5).
    package static func body(id: UInt64, _ keyword: ReplyKeyword, _ body: [UInt8], unit: SizeUnit = .bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 24)
        appendBody(id: id, keyword, body, unit: unit, to: &out)
        return out
    }

    /// ``body(id:_:_:unit:)`` appended to `out`.
    static func appendBody(id: UInt64, _ keyword: ReplyKeyword, _ body: [UInt8], unit: SizeUnit, to out: inout [UInt8]) {
        appendID(id, to: &out)
        appendKeyword(keyword, to: &out)
        out.append(Wire.space)
        Bytes.appendDecimal(UInt64(unit.count(body)), minimumWidth: keyword == .size ? 4 : 1, to: &out)
        out.append(Wire.lf)
        out.append(contentsOf: body)
    }

    /// `(<tid>)<path>[ <args>]⏎`: a command forwarded to a target.
    package static func command(id: UInt64, path: some Collection<UInt8>, args: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.count + (args?.count ?? 0) + 24)
        appendCommand(id: id, path: path, args: args?[...], to: &out)
        return out
    }

    /// ``command(id:path:args:)`` appended to `out`.
    static func appendCommand(id: UInt64, path: some Collection<UInt8>, args: ArraySlice<UInt8>?, to out: inout [UInt8]) {
        appendID(id, to: &out)
        Bytes.append(path, to: &out)
        if let args {
            out.append(Wire.space)
            Bytes.append(args, to: &out)
        }
        out.append(Wire.lf)
    }

    /// `(<tid>)<path>+⏎` then `key: value⏎` lines, an empty line, the dot-stuffed body and `.⏎`.
    package static func multilineCommand(id: UInt64, path: some Collection<UInt8>, _ multiline: Multiline) -> [UInt8] {
        var out: [UInt8] = []
        appendMultilineCommand(id: id, path: path, multiline, to: &out)
        return out
    }

    /// ``multilineCommand(id:path:_:)`` appended to `out`.
    static func appendMultilineCommand(id: UInt64, path: some Collection<UInt8>, _ multiline: Multiline,
                                       to out: inout [UInt8]) {
        appendID(id, to: &out)
        out.append(contentsOf: path)
        out.append(UInt8(ascii: "+"))
        out.append(Wire.lf)
        for header in multiline.headers {
            out.append(contentsOf: header.key)
            out.append(contentsOf: ": ".utf8)
            out.append(contentsOf: header.value)
            out.append(Wire.lf)
        }
        out.append(Wire.lf)
        for line in multiline.body {
            if line.first == 0x2E { out.append(0x2E) }
            out.append(contentsOf: line)
            out.append(Wire.lf)
        }
        out.append(0x2E)
        out.append(Wire.lf)
    }

    /// `!TERM! <text>⏎`.
    package static func terminate(_ text: String) -> [UInt8] { Array("!TERM! \(text)".utf8) + [Wire.lf] }

    /// The keyword's bytes. Not through `rawValue.utf8`: a keyword is a small string, which
    /// has no contiguous bytes to copy, so every rendered reply appended it byte by byte.
    @inline(__always) static func appendKeyword(_ keyword: ReplyKeyword, to out: inout [UInt8]) {
        let spelling: StaticString = switch keyword {
        case .trueReply: "TRUE"
        case .falseReply: "FALSE"
        case .wait: "WAIT"
        case .size: "SIZE"
        case .stream: "STRM"
        case .get: "GET"
        case .term: "TERM"
        }
        spelling.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    @inline(__always) static func appendID(_ id: UInt64, to out: inout [UInt8]) {
        guard id > 0 else { return }
        out.append(UInt8(ascii: "("))
        Bytes.appendDecimal(id, to: &out)
        out.append(UInt8(ascii: ")"))
    }
}
