/// What a ``CommandTable`` makes of a command name.
package enum CommandDispatch<Handler: Sendable> {
    /// Answer this one line (`heart`, `name`).
    case answer(ReplyKeyword, String)
    /// Answer the table's listing (`commands`), filtered as the answerer needs.
    case listing
    /// Run this handler.
    case run(Handler)
    /// No such command: answer `FALSE command does not exist`.
    case unknown
}
