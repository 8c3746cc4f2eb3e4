/// Why `cube reload` did not reload: printed as `Error: <reason>`, exit status 1.
struct ReloadFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
