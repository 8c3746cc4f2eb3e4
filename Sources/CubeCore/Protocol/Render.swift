/// Renders outbound wire messages (docs/protocol.md §5, §6).
package enum Render {
    /// `[(<id>)]KEYWORD <text>⏎`; LF inside `text` becomes the two characters `\n`.
    package static func reply(id: UInt64, _ keyword: ReplyKeyword, _ text: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + 24)
        appendID(id, to: &out)
        out.append(contentsOf: keyword.rawValue.utf8)
        out.append(Wire.space)
        // Relayed texts almost never hold an LF: copy them whole, escape only when needed.
        if !text.contains(Wire.lf) {
            out.append(contentsOf: text)
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
        return out
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

    /// `[(<id>)]SIZE <n, ≥4 digits>⏎<body>` or `[(<id>)]STRM <n>⏎<body>`.
    /// - Parameter unit: what `<n>` counts: the receiving session's unit (docs/protocol.md §5).
    package static func body(id: UInt64, _ keyword: ReplyKeyword, _ body: [UInt8], unit: SizeUnit = .bytes) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 24)
        appendID(id, to: &out)
        out.append(contentsOf: keyword.rawValue.utf8)
        out.append(Wire.space)
        Bytes.appendDecimal(UInt64(unit.count(body)), minimumWidth: keyword == .size ? 4 : 1, to: &out)
        out.append(Wire.lf)
        out.append(contentsOf: body)
        return out
    }

    /// `(<tid>)<path>[ <args>]⏎`: a command forwarded to a target.
    package static func command(id: UInt64, path: some Collection<UInt8>, args: [UInt8]?) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.count + (args?.count ?? 0) + 24)
        appendID(id, to: &out)
        out.append(contentsOf: path)
        if let args {
            out.append(Wire.space)
            out.append(contentsOf: args)
        }
        out.append(Wire.lf)
        return out
    }

    /// `(<tid>)<path>+⏎` then `key: value⏎` lines, an empty line, the dot-stuffed body and `.⏎`.
    package static func multilineCommand(id: UInt64, path: some Collection<UInt8>, _ multiline: Multiline) -> [UInt8] {
        var out: [UInt8] = []
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
        return out
    }

    /// `!TERM! <text>⏎`.
    package static func terminate(_ text: String) -> [UInt8] { Array("!TERM! \(text)".utf8) + [Wire.lf] }

    @inline(__always) static func appendID(_ id: UInt64, to out: inout [UInt8]) {
        guard id > 0 else { return }
        out.append(UInt8(ascii: "("))
        Bytes.appendDecimal(id, to: &out)
        out.append(UInt8(ascii: ")"))
    }
}
