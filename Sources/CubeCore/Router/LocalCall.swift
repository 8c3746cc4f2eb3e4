/// One local command as its `LocalCommand` handler sees it: the caller is logged in and was
/// allowed to run it.
struct LocalCall: Sendable {
    /// The command, its path being the command's name.
    let command: Command
    /// The calling session.
    let id: SessionID
    /// The caller's user name.
    let user: String
    /// The arguments split on spaces (docs/protocol.md §8).
    let words: [String]
    let now: Timestamp
    /// It came over a link from a node other than the neighbour's own users (the path had
    /// crossed more than one link): the neighbour only passes it on.
    var relayed = false
}
