/// A ``Reply`` read in place: its text is a slice of the line it came in (``BorrowedFrame``),
/// so relaying it copies the text only into the send it is rendered into.
///
/// Lives for one router input; what keeps a reply past it takes ``owned``.
struct ReplyView: Sendable {
    var id: UInt64
    var keyword: ReplyKeyword
    var text: ArraySlice<UInt8>
    var body: [UInt8]?

    init(id: UInt64, keyword: ReplyKeyword, text: ArraySlice<UInt8> = [], body: [UInt8]? = nil) {
        self.id = id
        self.keyword = keyword
        self.text = text
        self.body = body
    }

    /// A view of an owned reply (its arrays are shared, not copied).
    init(_ reply: Reply) {
        self.init(id: reply.id, keyword: reply.keyword, text: reply.text[...], body: reply.body)
    }

    /// The reply with its own arrays.
    var owned: Reply { Reply(id: id, keyword: keyword, text: Array(text), body: body) }
}
