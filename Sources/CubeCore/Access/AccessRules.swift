/// Which commands each user may send (`access.cmd.usr.<user> = <pattern> …`, docs/protocol.md §3.4).
///
/// A command is allowed if it matches one of the user's own patterns or one of the
/// patterns of `*` (everyone).
package struct AccessRules: Equatable, Sendable {
    /// Patterns per user name; the key `*` applies to every user.
    package private(set) var patterns: [String: [GlobPattern]]

    /// The patterns of `*`, kept apart: they are checked for every command of every user.
    private var everyone: [GlobPattern] = []
    /// Whether `*` has `**`: then every non-empty path is allowed without a look-up.
    private var everyoneMayDoAnything = false

    package init(_ patterns: [String: [GlobPattern]] = [:]) {
        self.patterns = [:]
        for (user, list) in patterns { allow(user, list) }
    }

    /// Adds patterns for `user`.
    package mutating func allow(_ user: String, _ new: [GlobPattern]) {
        patterns[user, default: []].append(contentsOf: new)
        guard user == "*" else { return }
        everyone += new
        everyoneMayDoAnything = everyone.contains(where: \.matchesEverything)
    }

    /// Whether `user` may act on other users' sessions and leases: the right to run
    /// `term-all` is what makes an administrator (docs/protocol.md §8, §8.1).
    package func isAdministrator(_ user: String) -> Bool {
        allows(user: user, command: "term-all".utf8)
    }

    /// Whether `user` may send `command` (a path with session ids already replaced by user names).
    /// Runs for every command, so the common cases avoid hashing the user name.
    package func allows(user: String, command: some Collection<UInt8>) -> Bool {
        allows(own: patterns[user], command: command)
    }

    /// ``allows(user:command:)`` with the user's own patterns already looked up (`patterns[user]`):
    /// the router keeps them for the user that sent the last command, so that a burst of
    /// commands hashes the name once (docs/performance.md "Router CPU per pipelined request").
    func allows(own: [GlobPattern]?, command: some Collection<UInt8>) -> Bool {
        // `**` of everyone or of the user (an administrator's usual rule) first: no pattern
        // of `*` needs trying then.
        if !command.isEmpty, everyoneMayDoAnything || own?.contains(where: { $0.matchesEverything }) == true {
            return true
        }
        if everyone.contains(where: { $0.matches(command) }) { return true }
        guard let own else { return false }
        return own.contains(where: { $0.matches(command) })
    }
}
