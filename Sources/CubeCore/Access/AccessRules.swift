/// Which commands each user may send (`access.cmd.usr.<user> = <pattern> …`, PROTOCOL.md §3.4).
///
/// A command is allowed if it matches one of the user's own patterns or one of the
/// patterns of `*` (everyone).
public struct AccessRules: Equatable, Sendable {
    /// Patterns per user name; the key `*` applies to every user.
    public private(set) var patterns: [String: [GlobPattern]]

    public init(_ patterns: [String: [GlobPattern]] = [:]) {
        self.patterns = patterns
    }

    /// Adds patterns for `user`.
    public mutating func allow(_ user: String, _ new: [GlobPattern]) {
        patterns[user, default: []].append(contentsOf: new)
    }

    /// Whether `user` may send `command` (a path with session ids already replaced by user names).
    public func allows(user: String, command: some Collection<UInt8>) -> Bool {
        if let own = patterns[user], own.contains(where: { $0.matches(command) }) { return true }
        if let everyone = patterns["*"], everyone.contains(where: { $0.matches(command) }) { return true }
        return false
    }
}
