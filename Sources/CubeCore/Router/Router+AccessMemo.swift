// The access check of routed commands without hashing the sender's name for each one
// (docs/performance.md "Router CPU per pipelined request").
extension Router {
    /// Whether `user` may send `command` (``AccessRules/allows(user:command:)``), with the
    /// user's own patterns remembered from the previous command: a pipelined burst comes from
    /// one user. ``reconfigure(_:now:)`` forgets them.
    mutating func allowsRemembered(user: String, command: some Collection<UInt8>) -> Bool {
        if let accessMemo, accessMemo.user == user {
            return configuration.access.allows(own: accessMemo.own, command: command)
        }
        let own = configuration.access.patterns[user]
        accessMemo = AccessMemo(user: user, own: own)
        return configuration.access.allows(own: own, command: command)
    }
}
