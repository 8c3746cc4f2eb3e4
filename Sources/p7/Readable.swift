import CubeClient

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

    /// `body` decoded, if it is text a terminal shows as it is (``TerminalText/text(_:)``).
    static func text(_ body: [UInt8]) -> String? { TerminalText.text(body) }
}

extension Readable {
    /// A reply line for the terminal: control characters become `?`.
    static func line(_ bytes: [UInt8]) -> String { TerminalText.visible(bytes) }
}
