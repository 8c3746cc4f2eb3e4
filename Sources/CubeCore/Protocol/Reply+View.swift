extension Reply {
    /// The reply as a ``ReplyView`` (its arrays are shared, not copied).
    var view: ReplyView { ReplyView(id: id, keyword: keyword, text: text[...], body: body) }
}
