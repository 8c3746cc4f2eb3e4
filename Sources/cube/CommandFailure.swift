import CubeClient

/// Why a `cube` subcommand (`reload`, `passwd`) failed once running: printed as
/// `Error: <reason>`, exit status 1, without the usage text a `ValidationError` brings.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    /// `description` may quote the cube's reply: its control characters are not printed.
    init(_ description: String) { self.description = TerminalText.visible(description) }
}
