/// What a client or a zenka received from the cube, one message at a time (docs/protocol.md §5):
/// a reply, the cube's `!TERM!`, or any other line.
///
/// The router reads what its sessions send as a ``Message``; `p7`, `P7Connection` and the zenka
/// SDK read what the cube sends them as a `Received` (``init(frame:)``). Both readings start
/// from the same head of a line (`Message.head(of:)`) and produce the same ``Reply``.
public enum Received: Equatable, Sendable {
    /// `TRUE`, `FALSE`, `WAIT`, `SIZE`, `STRM`, `GET` or `TERM`, with its id (0 when the line
    /// had none or `(0)`), its text exactly as sent after the one space behind the keyword (for
    /// `SIZE`/`STRM` the count), and the body of `SIZE`/`STRM`.
    case reply(Reply)
    /// `!TERM! <text>`: the cube is closing the connection; never answered.
    case terminate(text: [UInt8])
    /// Anything else, as the whole line received (without its LF): a command or notice sent to
    /// this session, a pre-auth line, a line with a malformed id, a blank line, or garbage; for
    /// a multi-line command also its following lines, unstuffed and each ending in LF.
    case other(line: [UInt8], body: [UInt8]? = nil)

    /// The reply, or nil for `!TERM!` and other lines.
    public var reply: Reply? {
        if case .reply(let reply) = self { return reply }
        return nil
    }

    /// The id the message carries: the reply's, or the `(<id>)` an other line starts with (a
    /// command the cube sends to this session has one); 0 when there is none, and for `!TERM!`.
    public var id: UInt64 {
        switch self {
        case .reply(let reply): reply.id
        case .terminate: 0
        case .other(let line, _): Self.idAndRest(of: line).id
        }
    }

    /// The text: the reply's, what follows `!TERM! `, or an other line from its token on (after
    /// its id and blanks; all of the line from its first non-blank when its id is malformed).
    public var text: [UInt8] {
        switch self {
        case .reply(let reply): reply.text
        case .terminate(let text): text
        case .other(let line, _): Array(line[Self.idAndRest(of: line).rest...])
        }
    }

    /// The first line without its LF, for display and logs: an other line exactly as received;
    /// a reply or `!TERM!` rebuilt from its parts as the cube renders them (`(<id>)KEYWORD
    /// text`, ``Render``), which is how one from this project's cube arrived.
    public var line: [UInt8] {
        switch self {
        case .reply(let reply): Array(Render.reply(id: reply.id, reply.keyword, reply.text).dropLast())
        case .terminate(let text): Array("!TERM! ".utf8) + text
        case .other(let line, _): line
        }
    }

    /// ``text`` decoded as UTF-8 (invalid bytes become U+FFFD).
    public var textString: String { String(decoding: text, as: UTF8.self) }

    /// An other line's id (0 for none) and where its text starts, by the one reading of a
    /// line's head (`Message.head(of:)`).
    private static func idAndRest(of line: [UInt8]) -> (id: UInt64, rest: Int) {
        guard case .success(let found) = Message.head(of: line), let head = found else {
            return (0, Bytes.skipBlanks(line, from: 0))
        }
        return (head.id, head.token.lowerBound)
    }
}
