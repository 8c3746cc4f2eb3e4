/// One message received after login, split into id, keyword and text (docs/protocol.md §5).
public struct Reply: Equatable, Sendable {
    /// The reply keyword.
    public enum Kind: Equatable, Sendable {
        /// `TRUE <text>`: success, closes the route.
        case trueReply
        /// `FALSE <text>`: failure, closes the route.
        case falseReply
        /// `WAIT <text>`: interim notice, the route stays open.
        case wait
        /// `SIZE <n>` and `n` body bytes: closes the route.
        case size
        /// `STRM <n>` and `n` body bytes: one chunk of a stream, the route stays open.
        case stream
        /// `GET <text>`: like `TRUE`.
        case get
        /// `TERM <text>`: like `TRUE`.
        case term
        /// `!TERM! <text>`: the peer is closing the connection; never answered.
        case terminate
        /// Anything else: a command sent to this session, a pre-auth line, or garbage.
        case other
    }

    /// The command id in `(<id>)`, or nil when the line has none (or `(0)`, which means "no id").
    public var id: UInt64?
    /// The keyword.
    public var kind: Kind
    /// The bytes after the keyword and one space (for `SIZE`/`STRM` the byte count as sent);
    /// for ``Kind/other`` everything after the id.
    public var text: [UInt8]
    /// The body of `SIZE`/`STRM`, the unstuffed body lines of a multi-line message (each ending
    /// in LF), else empty.
    public var body: [UInt8]
    /// The whole first line as received, without its LF.
    public var raw: [UInt8]

    /// Creates a reply from its parts.
    /// - Parameters:
    ///   - id: the command id, if any.
    ///   - kind: the keyword.
    ///   - text: the text after the keyword.
    ///   - body: the body bytes, if any.
    ///   - raw: the raw first line.
    public init(id: UInt64?, kind: Kind, text: [UInt8], body: [UInt8] = [], raw: [UInt8]) {
        self.id = id
        self.kind = kind
        self.text = text
        self.body = body
        self.raw = raw
    }

    /// ``text`` decoded as UTF-8 (invalid bytes become U+FFFD).
    public var textString: String { String(decoding: text, as: UTF8.self) }

    /// True for the keywords that close a route: `TRUE`, `FALSE`, `SIZE`, `GET`, `TERM`.
    public var isFinal: Bool {
        switch kind {
        case .trueReply, .falseReply, .size, .get, .term: true
        case .wait, .stream, .terminate, .other: false
        }
    }
}
