/// Bodies as the terminal shows them: text as it is, anything else (binary data, or text
/// with control characters that would drive the terminal) as a one-line summary, so a zenka
/// cannot scramble or reprogram the user's terminal.
enum Readable {
    /// `body` for the terminal, ending in a line feed; `keyword` names it in the summary.
    static func show(_ body: [UInt8], keyword: String) -> String {
        guard let text = text(body) else {
            return "[\(keyword): \(body.count) bytes of binary data not shown; `p7 <command> > FILE` saves them]\n"
        }
        return text.isEmpty || text.hasSuffix("\n") ? text : text + "\n"
    }

    /// `body` decoded, if it is valid UTF-8 without control characters other than tab, line
    /// feed and carriage return.
    static func text(_ body: [UInt8]) -> String? {
        guard !body.contains(where: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0x7F }) else { return nil }
        let text = String(decoding: body, as: UTF8.self)
        // Decoding replaced invalid sequences with U+FFFD: then it was no UTF-8 text.
        guard Array(text.utf8) == body else { return nil }
        // C1 controls (U+0080–U+009F) are terminal commands too.
        guard !text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) else { return nil }
        return text
    }
}

extension Readable {
    /// A reply line for the terminal: control characters become `?`.
    static func line(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0
        }))
    }
}
