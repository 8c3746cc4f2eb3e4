import CubeCore

/// The commands a ``Zenka`` answers: its own, declared with ``Zenka/command(_:help:access:handler:)``,
/// and the built-ins `heart`, `name` and `commands`, in one table that both dispatches and lists.
public enum ZenkaCommand {
    /// Handles one call and returns the final reply; a thrown error becomes
    /// `FALSE error during command invocation [ details are logged ]`.
    public typealias Handler = @Sendable (Call) async throws -> ZenkaReply

    /// A new zenka's table: the built-ins, listed first. Commands declared later are listed
    /// after them in name order.
    static var builtins: CommandTable<Handler> {
        CommandTable([
            .init(name: "heart", usage: "heart [notime]", summary: "heart [notime]: answers TRUE beating", access: .everyone, action: .heart),
            .init(name: "name", usage: "name", summary: "name: the zenka's name", access: .granted, action: .name),
            .init(name: "commands", usage: "commands", summary: "commands: this table", access: .granted, action: .commands),
        ])
    }
}
