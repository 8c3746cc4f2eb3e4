/// The reply keywords of docs/protocol.md §5 (public: the SDK's and p7's `Reply` carries one).
public enum ReplyKeyword: String, Sendable, CaseIterable {
    case trueReply = "TRUE"
    case falseReply = "FALSE"
    case wait = "WAIT"
    case size = "SIZE"
    case stream = "STRM"
    case get = "GET"
    case term = "TERM"

    /// Whether relaying this reply ends the route (`WAIT` and `STRM` keep it open); public, so a
    /// user of the SDK or the client can tell a final reply from an interim one.
    public var closesRoute: Bool { self != .wait && self != .stream }

    /// Whether the reply carries a byte body instead of a text.
    public var hasBody: Bool { self == .size || self == .stream }

    package var bytes: [UInt8] { Array(rawValue.utf8) }

    /// The keyword's place in ``allCases`` (counters by keyword are arrays).
    package var index: Int {
        switch self {
        case .trueReply: 0
        case .falseReply: 1
        case .wait: 2
        case .size: 3
        case .stream: 4
        case .get: 5
        case .term: 6
        }
    }

    /// The keyword spelled by `token`, if any.
    ///
    /// Compares bytes, not strings: it runs for every line a session sends, and most lines
    /// (commands) are rejected by their first byte.
    package init?(token: some Collection<UInt8>) {
        guard let keyword = Self.read(token) else { return nil }
        self = keyword
    }

    /// ``init(token:)`` as a function: an initialiser takes its argument owned, which cost the
    /// router a copy of the token's slice (a retain of its line) per reply. The token's bytes
    /// are packed into one integer and switched on: comparing it with each spelling in turn
    /// cost a generic comparison per keyword for every reply.
    static func read(_ token: some Collection<UInt8>) -> ReplyKeyword? {
        guard token.count >= 3 && token.count <= 5, let first = token.first, Bytes.isUpper(first) else { return nil }
        var packed: UInt64 = 0
        // By index: iterating the slice would copy it (a retain of its line) per reply.
        for index in token.indices { packed = packed << 8 | UInt64(token[index]) }
        switch packed {
        case 0x5452_5545: return .trueReply       // TRUE
        case 0x46_414C_5345: return .falseReply   // FALSE
        case 0x5741_4954: return .wait            // WAIT
        case 0x5349_5A45: return .size            // SIZE
        case 0x5354_524D: return .stream          // STRM
        case 0x47_4554: return .get               // GET
        case 0x5445_524D: return .term            // TERM
        default: return nil
        }
    }
}
