/// One line of a logged-in session as ``MessageView/read(_:)`` finds it: what it is, and
/// where its parts are as index ranges into the line. Holds no reference, so making,
/// copying and dropping it costs nothing; ``MessageView/parseLine(_:)`` turns it into views.
enum LineReading: Sendable {
    case empty
    case terminate
    case invalid(ParseError)
    /// A reply; `text` nil when the line has none.
    case reply(id: UInt64, keyword: ReplyKeyword, text: Range<Int>?)
    /// A command: its path token and its arguments, if any.
    case command(id: UInt64, path: Range<Int>, args: Range<Int>?)
}
