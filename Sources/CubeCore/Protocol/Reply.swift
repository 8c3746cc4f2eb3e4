/// A reply (docs/protocol.md §5): what the router relays and answers, what the door hands the
/// mount and the manager, and what `p7`, `P7Connection` and the zenka SDK receive
/// (``Received/reply(_:)``). One type for all of them.
public struct Reply: Equatable, Sendable {
    /// The command id in `(<id>)`; 0 when there is none (a line without id, or `(0)`).
    public var id: UInt64
    /// The keyword: `TRUE`, `FALSE`, `WAIT`, `SIZE`, `STRM`, `GET` or `TERM`.
    public var keyword: ReplyKeyword
    /// The text after the keyword (empty when none). The router's reading (``Message``) trims
    /// it like a command's arguments and leaves it empty for a `SIZE`/`STRM` with its body; a
    /// receiver's (``Received/init(frame:)``) keeps it exactly as sent, the count included.
    public var text: [UInt8]
    /// The bytes of a `SIZE`/`STRM` reply; nil for text replies (and for `STRM open`).
    public var body: [UInt8]?

    /// Creates a reply from its parts.
    /// - Parameters:
    ///   - id: the command id, 0 for none.
    ///   - keyword: the keyword.
    ///   - text: the text after the keyword.
    ///   - body: the body of a `SIZE`/`STRM` reply, nil for a text reply.
    public init(id: UInt64, keyword: ReplyKeyword, text: [UInt8] = [], body: [UInt8]? = nil) {
        self.id = id
        self.keyword = keyword
        self.text = text
        self.body = body
    }

    /// ``text`` decoded as UTF-8 (invalid bytes become U+FFFD).
    public var textString: String { String(decoding: text, as: UTF8.self) }
}
