/// The access patterns of the user that sent the last command (``Router/allowsRemembered(user:command:)``).
struct AccessMemo: Sendable {
    let user: String
    let own: [GlobPattern]?
}
