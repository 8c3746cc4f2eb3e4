import CubeClient

/// Why `cube reload` did not reload: printed as `Error: <reason>`, exit status 1.
struct ReloadFailure: Error, CustomStringConvertible {
    let description: String
    /// `description` may quote the cube's reply: its control characters are not printed.
    init(_ description: String) { self.description = TerminalText.visible(description) }
}
