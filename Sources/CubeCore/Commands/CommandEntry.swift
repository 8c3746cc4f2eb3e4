/// One row of a ``CommandTable``: what `commands` lists and what the dispatcher runs, side by
/// side so the two cannot drift apart.
public struct CommandEntry<Handler: Sendable>: Sendable {
    /// What running the command does.
    public enum Action: Sendable {
        /// `heart [anything]`: `TRUE beating`.
        case heart
        /// `name`: `TRUE <the answerer's name>`.
        case name
        /// `commands`: the table's listing.
        case commands
        /// A command of this table's own.
        case run(Handler)
    }

    /// The command as it arrives, e.g. `whoami`.
    public let name: String
    /// How to call it, e.g. `present <name>`.
    public let usage: String
    /// One line saying what it does.
    public let summary: String
    /// Who may run it by default.
    public let access: CommandAccess
    /// What running it does.
    public let action: Action

    /// Creates a row.
    public init(name: String, usage: String, summary: String, access: CommandAccess, action: Action) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.access = access
        self.action = action
    }

    /// A row whose handler runs the command.
    public init(_ name: String, _ usage: String, _ summary: String, _ access: CommandAccess, handler: Handler) {
        self.init(name: name, usage: usage, summary: summary, access: access, action: .run(handler))
    }
}
