/// A command a ``Zenka`` answers: its name, help line and handler.
public struct ZenkaCommand: Sendable {
    /// Handles one call and returns the final reply; a thrown error becomes
    /// `FALSE error during command invocation [ details are logged ]`.
    public typealias Handler = @Sendable (Call) async throws -> ZenkaReply

    /// The command name as it arrives, e.g. `eval`.
    public var name: String
    /// One line for the `commands` table, e.g. `eval <expr>: evaluates arithmetic`.
    public var help: String
    /// The handler.
    public var handler: Handler

    /// Creates a command.
    /// - Parameters:
    ///   - name: the command name.
    ///   - help: the help line.
    ///   - handler: the handler.
    public init(name: String, help: String, handler: @escaping Handler) {
        self.name = name
        self.help = help
        self.handler = handler
    }
}
