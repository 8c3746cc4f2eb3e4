/// One row of a ``CommandTable``: what `commands` lists and what the dispatcher runs, side by
/// side so the two cannot drift apart.
package struct CommandEntry<Handler: Sendable>: Sendable {
    /// What running the command does.
    package enum Action: Sendable {
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
    package let name: String
    /// How to call it, e.g. `present <name>`.
    package let usage: String
    /// One line saying what it does.
    package let summary: String
    /// Who may run it by default.
    package let access: CommandAccess
    /// What running it does.
    package let action: Action

    /// Creates a row.
    package init(name: String, usage: String, summary: String, access: CommandAccess, action: Action) {
        self.name = name
        self.usage = usage
        self.summary = summary
        self.access = access
        self.action = action
    }

    /// A row whose handler runs the command.
    package init(_ name: String, _ usage: String, _ summary: String, _ access: CommandAccess, handler: Handler) {
        self.init(name: name, usage: usage, summary: summary, access: access, action: .run(handler))
    }
}
