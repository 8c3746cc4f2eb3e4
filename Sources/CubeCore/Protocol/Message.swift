/// A complete inbound message after parsing (docs/protocol.md §4, §5).
package enum Message: Equatable, Sendable {
    /// A blank line: ignored.
    case empty
    /// `!TERM! <text>`: the peer is closing; never answered.
    case terminate
    /// A command for a local command or a routed target.
    case command(Command)
    /// A reply to a route this session was sent.
    case reply(Reply)
    /// A line that must be answered with an error and otherwise ignored.
    case invalid(ParseError)
}

/// A parsed command line (single- or multi-line).
package struct Command: Equatable, Sendable {
    /// The command id, 0 when the sender gave none (or `(0)`).
    package var id: UInt64
    /// The path token, e.g. `calc.heart`, `heart`, `..whoami`.
    package var path: [UInt8]
    /// Arguments: everything after the first run of spaces, trailing blanks trimmed; nil when none.
    package var args: [UInt8]?
    /// Header lines and body of a multi-line command; nil for a single-line command.
    package var multiline: Multiline?

    package init(id: UInt64, path: [UInt8], args: [UInt8]? = nil, multiline: Multiline? = nil) {
        self.id = id
        self.path = path
        self.args = args
        self.multiline = multiline
    }
}

/// Headers and body of a multi-line command, dot-stuffing already removed.
package struct Multiline: Equatable, Sendable {
    package var headers: [(key: [UInt8], value: [UInt8])]
    package var body: [[UInt8]]

    package init(headers: [(key: [UInt8], value: [UInt8])], body: [[UInt8]]) {
        self.headers = headers
        self.body = body
    }

    package static func == (lhs: Multiline, rhs: Multiline) -> Bool {
        lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers) { $0.key == $1.key && $0.value == $1.value }
    }
}

/// Why a line was rejected; each case renders to one exact `FALSE` text.
package enum ParseError: Error, Equatable, Sendable {
    /// `(x)` where x is not 1–15 digits. Answered without an id.
    case invalidCommandID
    /// An all-upper-case token that is not a reply keyword.
    case invalidReplyType(id: UInt64)
    /// Anything else that cannot be parsed.
    case mismatch(id: UInt64)
    /// A multi-line header line without `:` or `=`.
    case multilineSyntax(id: UInt64)

    /// The id to echo with the error reply (0 = none).
    package var id: UInt64 {
        switch self {
        case .invalidCommandID: 0
        case .invalidReplyType(let id), .mismatch(let id), .multilineSyntax(let id): id
        }
    }

    /// The exact reply text after `FALSE `.
    package var text: String {
        switch self {
        case .invalidCommandID: Wire.invalidCommandID
        case .invalidReplyType: Wire.invalidReplyType
        case .mismatch: Wire.protocolMismatch
        case .multilineSyntax: Wire.multilineSyntax
        }
    }
}
