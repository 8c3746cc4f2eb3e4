/// Why a ``Zenka`` operation failed.
public enum ZenkaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The zenka has no live connection to the cube right now.
    case notConnected
    /// The connection ended before the final reply arrived.
    case disconnected
    /// A command path or argument cannot be sent (empty path, or a line feed in it).
    case invalidArgument(String)
    /// No login method is available (no key, no key file, no unix user).
    case noCredentials
    /// The key file could not be read or holds no key.
    case keyFileUnreadable(String)

    /// A one-line message for logs.
    public var description: String {
        switch self {
        case .notConnected: "not connected to the cube"
        case .disconnected: "connection to the cube lost before the reply"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        case .noCredentials: "no login method: set a key, a key file or a unix user"
        case .keyFileUnreadable(let path): "cannot read a key from \(path)"
        }
    }
}
