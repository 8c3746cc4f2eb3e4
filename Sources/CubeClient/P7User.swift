/// The name `p7` logs in with over the `unix` method (PROTOCOL.md §3.1).
public enum P7User {
    /// Variables consulted in order; the first non-empty one names the user.
    public static let environmentVariables = ["PROTOCOL_7_BIN_P7_USER", "USER", "LOGNAME"]

    /// `unix-` followed by the first non-empty of `$PROTOCOL_7_BIN_P7_USER`, `$USER`, `$LOGNAME`,
    /// else `unix-root`.
    ///
    /// The prefix is always added, even to a value that already starts with `unix-`, exactly as
    /// the original C client did, so configurations written for it keep working.
    public static func loginName() -> String {
        loginName(environment: Environment.value)
    }

    /// Like ``loginName()``, reading variables through `environment` (for tests).
    /// - Parameter environment: looks up an environment variable by name.
    /// - Returns: the login name, e.g. `unix-alice`.
    public static func loginName(environment: (String) -> String?) -> String {
        for name in environmentVariables {
            if let value = environment(name), !value.isEmpty { return "unix-" + value }
        }
        return "unix-root"
    }
}
