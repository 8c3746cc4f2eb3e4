/// The reply keywords of PROTOCOL.md §5.
public enum ReplyKeyword: String, Sendable, CaseIterable {
    case trueReply = "TRUE"
    case falseReply = "FALSE"
    case wait = "WAIT"
    case size = "SIZE"
    case stream = "STRM"
    case get = "GET"
    case term = "TERM"

    /// Whether relaying this reply ends the route (`WAIT` and `STRM` keep it open).
    public var closesRoute: Bool { self != .wait && self != .stream }

    /// Whether the reply carries a byte body instead of a text.
    public var hasBody: Bool { self == .size || self == .stream }

    public var bytes: [UInt8] { Array(rawValue.utf8) }

    /// The keyword spelled by `token`, if any.
    public init?(token: some Collection<UInt8>) {
        guard token.count >= 3 && token.count <= 5 else { return nil }
        for keyword in ReplyKeyword.allCases where token.elementsEqual(keyword.rawValue.utf8) {
            self = keyword
            return
        }
        return nil
    }
}
