/// Text from a peer made safe to print on a terminal: control characters (C0, DEL and C1,
/// which terminals read as commands: colours, titles, OSC 52 clipboard writes) become `?`.
/// Messages that quote what a server sent (`login failed: …`, `connection terminated: …`)
/// go through it: a fake or broken server must not drive the user's terminal (docs/p7.md).
public enum TerminalText {
    /// `text` with every control character replaced by `?`.
    public static func visible(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map {
            $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0
        }))
    }

    /// `bytes` decoded as UTF-8 (invalid sequences as U+FFFD), then ``visible(_:)``.
    public static func visible(_ bytes: [UInt8]) -> String {
        visible(String(decoding: bytes, as: UTF8.self))
    }

    /// `body` decoded, if it is valid UTF-8 without control characters other than tab, line
    /// feed and a carriage return right before a line feed (CRLF text); nil for anything a
    /// terminal would read as a command. A bare CR moves the cursor back to the line's start:
    /// text after it overwrote what the user saw (a hostile second reader).
    public static func text(_ body: [UInt8]) -> String? {
        guard !body.indices.contains(where: { index in
            let byte = body[index]
            if byte == 0x0D { return index + 1 == body.endIndex || body[index + 1] != 0x0A }
            return (byte < 0x20 && byte != 0x09 && byte != 0x0A) || byte == 0x7F
        }) else { return nil }
        let text = String(decoding: body, as: UTF8.self)
        // Decoding replaced invalid sequences with U+FFFD: then it was no UTF-8 text.
        guard Array(text.utf8) == body else { return nil }
        // C1 controls (U+0080–U+009F) are terminal commands too.
        guard !text.unicodeScalars.contains(where: { (0x80...0x9F).contains($0.value) }) else { return nil }
        return text
    }
}
