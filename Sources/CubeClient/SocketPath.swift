/// Where the cube's unix socket is (docs/protocol.md §1).
public enum SocketPath {
    /// The socket path used when neither an explicit path nor `$PROTOCOL_7_UNIX_PATH` is given.
    public static let defaultPath = "/run/protocol-7/cube.sock"
    /// The environment variable clients read the socket path from.
    public static let environmentVariable = "PROTOCOL_7_UNIX_PATH"

    /// Picks the socket path: `explicit`, else `$PROTOCOL_7_UNIX_PATH`, else ``defaultPath``.
    /// Empty values count as absent.
    /// - Parameter explicit: a path given on the command line, if any.
    /// - Returns: the path to connect to.
    public static func resolve(explicit: String?) -> String {
        resolve(explicit: explicit, environment: Environment.value)
    }

    /// Like ``resolve(explicit:)``, reading variables through `environment` (for tests).
    /// - Parameters:
    ///   - explicit: a path given on the command line, if any.
    ///   - environment: looks up an environment variable by name.
    /// - Returns: the path to connect to.
    public static func resolve(explicit: String?, environment: (String) -> String?) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment(environmentVariable), !fromEnvironment.isEmpty { return fromEnvironment }
        return defaultPath
    }
}
