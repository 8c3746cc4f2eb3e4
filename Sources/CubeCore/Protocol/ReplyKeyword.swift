/// The reply keywords of docs/protocol.md §5 (public: the SDK's and p7's `Reply` carries one).
public enum ReplyKeyword: String, Sendable, CaseIterable {
    case trueReply = "TRUE"
    case falseReply = "FALSE"
    case wait = "WAIT"
    case size = "SIZE"
    case stream = "STRM"
    case get = "GET"
    case term = "TERM"

    /// Whether relaying this reply ends the route (`WAIT` and `STRM` keep it open).
    package var closesRoute: Bool { self != .wait && self != .stream }

    /// Whether the reply carries a byte body instead of a text.
    package var hasBody: Bool { self == .size || self == .stream }

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
        guard token.count >= 3 && token.count <= 5, let first = token.first, Bytes.isUpper(first) else { return nil }
        for (keyword, spelling) in ReplyKeyword.spellings where token.elementsEqual(spelling) {
            self = keyword
            return
        }
        return nil
    }

    /// Each keyword with its bytes, made once rather than from `rawValue` for every line.
    private static let spellings: [(ReplyKeyword, [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }
}
