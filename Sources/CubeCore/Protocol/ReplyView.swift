/// A ``Reply`` read in place: its text is a slice of the line it came in (``BorrowedFrame``),
/// so relaying it copies the text only into the send it is rendered into.
///
/// Lives for one router input; what keeps a reply past it takes ``owned``.
struct ReplyView: Sendable {
    var id: UInt64
    var keyword: ReplyKeyword
    var text: ArraySlice<UInt8> = []
    var body: [UInt8]? = nil

    // Initialised through the implicit memberwise initialiser, as ``CommandView`` is.
}

extension ReplyView {
    /// The reply whose text is at `text` in `line` (none: nil), as ``MessageView/read(_:)``
    /// found it.
    static func reading(_ line: ArraySlice<UInt8>, id: UInt64, keyword: ReplyKeyword, text: Range<Int>?) -> ReplyView {
        ReplyView(id: id, keyword: keyword, text: text.map { line[$0] } ?? [])
    }

    /// The reply with its own arrays.
    var owned: Reply { Reply(id: id, keyword: keyword, text: Array(text), body: body) }
}
