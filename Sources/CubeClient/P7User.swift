/// The name `p7` logs in with over the `unix` method (docs/protocol.md §3.1).
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

    /// The variable ``loginName(environment:)`` took the name from, and its value; nil when
    /// none was set (the name is then `unix-root`).
    public static func source(environment: (String) -> String?) -> (variable: String, value: String)? {
        for name in environmentVariables {
            if let value = environment(name), !value.isEmpty { return (name, value) }
        }
        return nil
    }

    /// ``mismatchHint(uid:realName:environment:)`` with the process environment.
    public static func mismatchHint(uid: UInt32, realName: String?) -> String? {
        mismatchHint(uid: uid, realName: realName, environment: Environment.value)
    }

    /// What to tell the user when the cube refused a `unix` login (AUTH_ERROR) whose name is
    /// not the one of the real uid: the cube checks the name against the uid of the socket's
    /// peer (docs/protocol.md §3.1), so `USER=root p7 …` run as another user fails.
    /// - Parameters:
    ///   - uid: the real uid of the process.
    ///   - realName: that uid's user name, nil if it has none.
    /// - Returns: the hint, or nil when the name matches (the refusal has another cause).
    public static func mismatchHint(uid: UInt32, realName: String?, environment: (String) -> String?) -> String? {
        let taken = source(environment: environment)
        let name = taken?.value ?? "root"
        guard name != realName else { return nil }
        let from = taken.map { "from $\($0.variable)" } ?? "by default (no $USER or $LOGNAME set)"
        let real = realName.map { "is user '\($0)'" } ?? "has no user name"
        var hint = "the cube refused 'unix-\(name)': p7 took the name '\(name)' \(from), but uid \(uid) \(real)"
        if let realName {
            hint += "; run with PROTOCOL_7_BIN_P7_USER=\(realName) (or the right $USER), or have the cube allow it:"
                + " auth.setup.usr.unix-\(name) = :unix:\(realName)"
        }
        return hint
    }
}
