/// What a logged-in session is. The router decides by this, not by the name of the method
/// that logged it in (docs/protocol.md §3, §7, §8.2).
package enum SessionKind: Equatable, Sendable {
    /// A client, logged in with the auth method of this name (``AuthMethods``).
    case client(method: String)
    /// A zenka: logged in with a one-time key (method `zenka`), or started by the manager
    /// over stdio. Only zenki take `set-initialized` and appear in `list zenki`.
    case zenka
    /// A link to another node (docs/protocol.md §7).
    case link
    /// A session inside the cube process (the mount, the manager), named by its transport.
    case inProcess

    /// The name shown in the `auth` column of `list sessions` and the mount's session files.
    func label(on transport: Transport) -> String {
        switch self {
        case .client(let method): method
        case .zenka: "zenka"
        case .link: "link"
        case .inProcess: transport.description
        }
    }
}
